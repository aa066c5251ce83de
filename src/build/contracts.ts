/** Checks every rendered artifact against the API contract schemas before anything reaches a tenant. */
import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from '../detection/schema-check.ts';
import type { Platform } from '../kql/table-schemas.ts';
import { repoPath } from '../paths.ts';
import { parseIsoDuration } from '../util/iso-duration.ts';

const validators = new Map<Platform, ValidateFunction>();

function validatorFor(platform: Platform): ValidateFunction {
  let v = validators.get(platform);
  if (!v) {
    const file = platform === 'sentinel' ? 'sentinel-alert-rule' : 'defender-detection-rule';
    v = createAjv().compile(JSON.parse(readFileSync(repoPath(`schemas/contracts/${file}.schema.json`), 'utf8')));
    validators.set(platform, v);
  }
  return v;
}

export interface ContractViolation {
  /** JSON pointer inside the artifact. */
  path: string;
  message: string;
}

export function checkArtifactContract(platform: Platform, artifact: unknown): ContractViolation[] {
  const validate = validatorFor(platform);
  const out: ContractViolation[] = [];
  if (!validate(artifact)) {
    for (const e of (validate.errors ?? []).filter((x: ErrorObject) => x.keyword !== 'if')) {
      const extra = e.keyword === 'additionalProperties' ? ` \`${String((e.params as { additionalProperty: string }).additionalProperty)}\`` : '';
      out.push({ path: e.instancePath || '/', message: `${e.message ?? 'invalid'}${extra}` });
    }
  }
  out.push(...(platform === 'sentinel' ? sentinelSemantics(artifact) : defenderSemantics(artifact)));
  return out;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// What JSON Schema cannot say: relations between fields, and duration ranges (ISO-8601 is only a pattern there).
function sentinelSemantics(artifact: unknown): ContractViolation[] {
  const out: ContractViolation[] = [];
  const p = (artifact as { resources?: { properties?: Record<string, unknown> }[] }).resources?.[0]?.properties;
  if (!p) return out;
  const techniques = new Set((p.techniques as string[] | undefined) ?? []);
  for (const sub of (p.subTechniques as string[] | undefined) ?? []) {
    if (!techniques.has(sub.split('.')[0]!)) out.push({ path: '/resources/0/properties/subTechniques', message: `sub-technique ${sub} without its parent in techniques` });
  }
  for (const v of sentinelDurationLimits(p)) out.push({ path: `/resources/0/properties/${v.field}`, message: v.message });
  const override = p.alertDetailsOverride as Record<string, unknown> | undefined;
  for (const field of ['alertDisplayNameFormat', 'alertDescriptionFormat']) {
    out.push(...placeholderLimit(`/resources/0/properties/alertDetailsOverride/${field}`, override?.[field]));
  }
  return out;
}

/**
 * Sentinel's duration rules (Azure-Sentinel's template validator: RangeTimeSpanIsoFormat("00:05:00",
 * "14.00:00:00"), PeriodGreaterThanOrEqualFrequency; suppression ≤ 24 h; grouping lookback PT5M–P7D). Shared
 * with the importer, so a third-party rule outside them fails import with the same reason the build would give.
 */
export function sentinelDurationLimits(p: { queryFrequency?: unknown; queryPeriod?: unknown; suppressionDuration?: unknown; incidentConfiguration?: unknown }): { field: string; message: string }[] {
  const ms = (v: unknown) => (typeof v === 'string' ? parseIsoDuration(v) : null);
  const freq = ms(p.queryFrequency);
  const period = ms(p.queryPeriod);
  const suppression = ms(p.suppressionDuration);
  const out: { field: string; message: string }[] = [];
  if (freq !== null && period !== null && freq > period) out.push({ field: 'queryFrequency', message: 'queryFrequency is longer than queryPeriod' });
  for (const [field, value] of [['queryFrequency', freq], ['queryPeriod', period]] as const) {
    if (value !== null && (value < 5 * MINUTE || value > 14 * DAY)) out.push({ field, message: `${field} must be between PT5M and P14D` });
  }
  if (freq !== null && period !== null && period >= 2 * DAY && freq < HOUR) out.push({ field: 'queryFrequency', message: 'with a queryPeriod of 2 days or more, queryFrequency must be at least PT1H' });
  if (suppression !== null && suppression > DAY) out.push({ field: 'suppressionDuration', message: 'suppressionDuration must be at most P1D (24 hours)' });
  const lookback = ms((p.incidentConfiguration as { groupingConfiguration?: { lookbackDuration?: unknown } } | undefined)?.groupingConfiguration?.lookbackDuration);
  if (lookback !== null && (lookback < 5 * MINUTE || lookback > 7 * DAY)) {
    out.push({ field: 'incidentConfiguration/groupingConfiguration/lookbackDuration', message: 'incident grouping lookbackDuration must be between PT5M and P7D' });
  }
  return out;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const MAX_PLACEHOLDERS = 3;

/** Both APIs allow at most 3 distinct {{column}} placeholders per alert title/description text. */
function placeholderLimit(path: string, text: unknown): ContractViolation[] {
  if (typeof text !== 'string') return [];
  const columns = new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]));
  return columns.size > MAX_PLACEHOLDERS ? [{ path, message: `${columns.size} distinct {{column}} placeholders; at most ${MAX_PLACEHOLDERS} are allowed` }] : [];
}

function defenderSemantics(artifact: unknown): ContractViolation[] {
  const rule = artifact as { schedule?: { frequency?: string; lookback?: string }; detectionAction?: { alertTemplate?: Record<string, unknown> } };
  const template = rule.detectionAction?.alertTemplate;
  const out = [
    ...placeholderLimit('/detectionAction/alertTemplate/title', template?.title),
    ...placeholderLimit('/detectionAction/alertTemplate/description', template?.description),
  ];
  const tactics = (template?.tactics as { techniques?: { technique?: string; subTechniques?: string[] }[] }[] | undefined) ?? [];
  tactics.forEach((t, i) => t.techniques?.forEach((tech, j) => {
    for (const sub of tech.subTechniques ?? []) {
      if (!sub.startsWith(`${tech.technique}.`)) out.push({ path: `/detectionAction/alertTemplate/tactics/${i}/techniques/${j}/subTechniques`, message: `sub-technique ${sub} is not under its parent technique ${String(tech.technique)}` });
    }
  }));
  const s = rule.schedule;
  if (!s?.lookback || !s.frequency) return out;
  if (s.frequency === 'PT0S') return [...out, { path: '/schedule/lookback', message: 'continuous (PT0S) rules have no lookback' }];
  const f = parseIsoDuration(s.frequency);
  const l = parseIsoDuration(s.lookback);
  if (f !== null && l !== null && l < f) out.push({ path: '/schedule/lookback', message: 'lookback is shorter than frequency' });
  return out;
}

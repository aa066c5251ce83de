/**
 * Azure-Sentinel analytic rule YAML (the format of the Azure/Azure-Sentinel repository) → our detection.
 * Every field we cannot carry is reported by name; nothing is dropped silently.
 */
import { attackCatalog } from '../attack/catalog.ts';
import { sentinelDurationLimits } from '../build/contracts.ts';
import { queryForPlatform } from '../build/dialect.ts';
import type { Detection, SentinelSettings } from '../detection/types.ts';
import { loadSourceText } from '../detection/load-file.ts';
import { checkDetectionSchema } from '../detection/schema-check.ts';
import { parseYamlSource } from '../detection/yaml-source.ts';
import { stringify } from 'yaml';

export interface ImportResult {
  /** The converted detection, or null when the file cannot become one (see `error`). */
  detection: Detection | null;
  error?: string;
  /** Source fields (or parts of them) that have no place in our format, with what happened to them. */
  dropped: { field: string; reason: string }[];
  /** Values that had to change shape (e.g. tags normalised); the round trip ignores none of these. */
  notes: string[];
  /** True when the file is not an analytic rule at all (hunting query, moved-file stub): skipped, not failed. */
  skipped?: boolean;
}

const OPERATORS: Record<string, SentinelSettings['triggerOperator']> = {
  gt: 'GreaterThan', lt: 'LessThan', eq: 'Equal', ne: 'NotEqual',
  greaterthan: 'GreaterThan', lessthan: 'LessThan', equal: 'Equal', notequal: 'NotEqual',
};

/** Azure-Sentinel shorthand durations (`5m`, `1h`, `14d`) → ISO-8601 (PT5M, PT1H, P14D). */
export function shorthandToIso(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  if (/^P/.test(value)) return value;
  const m = /^(\d+)\s*([mhd])$/i.exec(value.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  if (unit === 'd') return `P${n}D`;
  if (unit === 'h') return n % 24 === 0 && n >= 24 ? `P${n / 24}D` : `PT${n}H`;
  return n % 60 === 0 ? `PT${n / 60}H` : `PT${n}M`;
}

/** `CommandAndControl` → `command-and-control`. */
export function tacticShortname(apiTactic: string): string {
  return apiTactic.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
}

// Fields of the Azure-Sentinel format that describe the content package, not the rule.
const PACKAGING_FIELDS = ['requiredDataConnectors', 'metadata', 'source', 'support', 'categories', 'author', 'status', 'tag', 'threatAnalysisTactics', 'threatAnalysisTechniques', 'alertRuleTemplateName', 'templateVersion'];
const HANDLED_FIELDS = new Set(['id', 'name', 'description', 'severity', 'tactics', 'relevantTechniques', 'query', 'queryFrequency', 'queryPeriod', 'triggerOperator', 'triggerThreshold', 'entityMappings', 'customDetails', 'alertDetailsOverride', 'incidentConfiguration', 'eventGroupingSettings', 'suppressionEnabled', 'suppressionDuration', 'version', 'kind', 'tags']);

export function importAzureSentinelRule(text: string, origin: string): ImportResult {
  const dropped: ImportResult['dropped'] = [];
  const notes: string[] = [];
  const fail = (error: string): ImportResult => ({ detection: null, error, dropped, notes });
  const skip = (error: string): ImportResult => ({ detection: null, error, dropped, notes, skipped: true });
  // The repository's folder layout says what a file is, even when its YAML is broken.
  if (/hunting queries/i.test(origin)) return skip('a hunting query (Hunting Queries folder), not an analytic rule');
  const source = parseYamlSource(text);
  if (source.errors.length) return fail(`invalid YAML at line ${source.errors[0]!.position.line}: ${source.errors[0]!.message}`);
  const raw = source.data as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return fail('not a YAML mapping');
  const kindRaw = typeof raw.kind === 'string' ? raw.kind.toLowerCase() : undefined;
  if (typeof raw.query !== 'string') return skip('no `query` field (a moved-file stub or a non-rule file)');
  if (!kindRaw && raw.queryFrequency === undefined && raw.triggerOperator === undefined) {
    return skip('a hunting query, not an analytic rule (no kind, schedule or trigger)');
  }
  if (kindRaw && kindRaw !== 'scheduled' && kindRaw !== 'nrt') return fail(`rule kind ${String(raw.kind)} is not Scheduled or NRT`);
  for (const field of ['id', 'name', 'description', 'severity', 'query'] as const) {
    if (typeof raw[field] !== 'string' || !(raw[field] as string).trim()) return fail(`missing or empty \`${field}\``);
  }
  const id = (raw.id as string).toLowerCase();
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return fail(`id ${String(raw.id)} is not a UUID`);

  // ATT&CK: each technique under the rule's tactics it belongs to.
  const catalog = attackCatalog();
  const tactics = ((raw.tactics as unknown[]) ?? []).map(String);
  const techniques = ((raw.relevantTechniques as unknown[]) ?? []).map((t) => String(t).trim());
  const shortnames = tactics.map(tacticShortname);
  const mitre: Detection['mitre'] = [];
  for (const technique of techniques) {
    const known = catalog.technique(technique);
    const under = known ? shortnames.filter((s) => known.tactics.includes(s)) : [];
    if (under.length) for (const tactic of under) mitre.push({ technique, tactic });
    else {
      mitre.push({ technique });
      notes.push(`technique ${technique} belongs to none of the rule's tactics (${tactics.join(', ') || 'none'}); mapped to all its ATT&CK tactics`);
    }
  }
  const covered = new Set(mitre.flatMap((m) => (m.tactic ? [m.tactic] : catalog.technique(m.technique)?.tactics ?? [])));
  for (const [i, s] of shortnames.entries()) {
    if (!covered.has(s)) dropped.push({ field: `tactics[${i}]`, reason: `tactic ${tactics[i]} has no technique in relevantTechniques; our format maps tactics through techniques` });
  }
  if (mitre.length === 0) return fail('no relevantTechniques: a detection needs at least one ATT&CK technique');

  const sentinel: SentinelSettings = { enabled: true };
  if (kindRaw === 'nrt') sentinel.kind = 'nrt';
  else {
    sentinel.kind = 'scheduled';
    const freq = shorthandToIso(raw.queryFrequency);
    const period = shorthandToIso(raw.queryPeriod);
    if (raw.queryFrequency !== undefined && !freq) return fail(`queryFrequency ${String(raw.queryFrequency)} is not a duration`);
    if (raw.queryPeriod !== undefined && !period) return fail(`queryPeriod ${String(raw.queryPeriod)} is not a duration`);
    if (freq) sentinel.queryFrequency = freq;
    if (period) sentinel.queryPeriod = period;
    if (raw.triggerOperator !== undefined) {
      const op = OPERATORS[String(raw.triggerOperator).toLowerCase()];
      if (!op) return fail(`triggerOperator ${String(raw.triggerOperator)} is unknown`);
      sentinel.triggerOperator = op;
    }
    if (raw.triggerThreshold !== undefined) sentinel.triggerThreshold = Number(raw.triggerThreshold);
  }
  const groupingLookback = shorthandToIso((raw.incidentConfiguration as { groupingConfiguration?: { lookbackDuration?: unknown } } | undefined)?.groupingConfiguration?.lookbackDuration);
  const limits = sentinelDurationLimits({
    queryFrequency: sentinel.queryFrequency, queryPeriod: sentinel.queryPeriod, suppressionDuration: shorthandToIso(raw.suppressionDuration) ?? undefined,
    incidentConfiguration: { groupingConfiguration: { lookbackDuration: groupingLookback ?? undefined } },
  });
  if (limits.length) return fail(`outside Sentinel's limits: ${limits.map((l) => `${l.message}${l.field in raw ? ` (${String(raw[l.field])})` : ''}`).join('; ')}`);
  if (raw.suppressionEnabled !== undefined || raw.suppressionDuration !== undefined) {
    const duration = shorthandToIso(raw.suppressionDuration);
    sentinel.suppression = { enabled: Boolean(raw.suppressionEnabled), ...(duration ? { duration } : {}) };
  }
  if (Array.isArray(raw.entityMappings) && raw.entityMappings.length) sentinel.entityMappings = raw.entityMappings as SentinelSettings['entityMappings'];
  if (raw.customDetails && typeof raw.customDetails === 'object' && Object.keys(raw.customDetails).length) sentinel.customDetails = raw.customDetails as Record<string, string>;
  if (raw.alertDetailsOverride && typeof raw.alertDetailsOverride === 'object') {
    const o = { ...(raw.alertDetailsOverride as Record<string, unknown>) };
    if (Array.isArray(o.alertDynamicProperties) && o.alertDynamicProperties.length === 0) delete o.alertDynamicProperties;
    if (Object.keys(o).length) sentinel.alertDetailsOverride = o as SentinelSettings['alertDetailsOverride'];
  }
  const grouping = (raw.eventGroupingSettings as { aggregationKind?: string } | undefined)?.aggregationKind;
  if (grouping === 'SingleAlert' || grouping === 'AlertPerResult') sentinel.eventGrouping = grouping;
  const incident = raw.incidentConfiguration as { createIncident?: boolean; groupingConfiguration?: Record<string, unknown> } | undefined;
  if (incident && typeof incident === 'object') {
    const g = incident.groupingConfiguration;
    sentinel.incident = {
      createIncident: incident.createIncident !== false,
      ...(g
        ? {
            grouping: {
              enabled: Boolean(g.enabled),
              reopenClosedIncident: Boolean(g.reopenClosedIncident),
              ...(g.lookbackDuration ? { lookbackDuration: shorthandToIso(g.lookbackDuration) ?? String(g.lookbackDuration) } : {}),
              ...(g.matchingMethod ? { matchingMethod: g.matchingMethod as 'AllEntities' } : {}),
              groupByEntities: (g.groupByEntities as string[] | undefined) ?? [],
              groupByAlertDetails: (g.groupByAlertDetails as ('DisplayName' | 'Severity')[] | undefined) ?? [],
              groupByCustomDetails: (g.groupByCustomDetails as string[] | undefined) ?? [],
            },
          }
        : {}),
    };
  }

  let version = typeof raw.version === 'string' || typeof raw.version === 'number' ? String(raw.version) : '1.0.0';
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    const parts = version.split('.').filter((p) => /^\d+$/.test(p));
    const fixed = [...parts, '0', '0', '0'].slice(0, 3).join('.');
    notes.push(`version ${version} normalised to ${fixed}`);
    version = fixed;
  }
  const tags: string[] = [];
  for (const t of (Array.isArray(raw.tags) ? raw.tags : [])) {
    if (typeof t !== 'string') {
      dropped.push({ field: 'tags', reason: `structured tag ${JSON.stringify(t)} (our tags are plain strings)` });
      continue;
    }
    const slug = t.toLowerCase().replace(/[^a-z0-9._/-]+/g, '-').replace(/^[^a-z0-9]+/, '');
    if (slug) {
      if (slug !== t) notes.push(`tag "${t}" normalised to "${slug}"`);
      if (!tags.includes(slug)) tags.push(slug);
    }
  }
  if (!tags.includes('imported')) tags.push('imported');
  for (const field of Object.keys(raw)) {
    if (HANDLED_FIELDS.has(field)) continue;
    dropped.push({ field, reason: PACKAGING_FIELDS.includes(field) ? 'content-packaging metadata, not part of the rule' : 'no equivalent field' });
  }
  const authorName = (raw.author as { name?: string } | undefined)?.name;
  const detection: Detection = {
    id,
    name: raw.name as string,
    description: raw.description as string,
    severity: (raw.severity as string).toLowerCase() as Detection['severity'],
    status: 'experimental',
    author: authorName ? `${authorName} (imported from Azure-Sentinel)` : 'imported from Azure-Sentinel',
    version,
    tags,
    mitre,
    query: raw.query as string,
    sentinel,
    defender: { enabled: false },
  };
  // Our detections are written in the Defender dialect; an imported Sentinel query that reads a Device* table's
  // Timestamp would have it renamed by the Sentinel build (none of the shared corpus does). Say so up front.
  const dialect = queryForPlatform(raw.query as string, 'sentinel');
  if (dialect.rewrites.length) notes.push(`the Sentinel build will rewrite ${dialect.rewrites.join(', ')} in this query (detections use the Defender dialect); check the time column`);
  // The source may break rules our schema enforces (e.g. more than 3 identifiers per entity); say which.
  const { diagnostics } = checkDetectionSchema(loadSourceText(origin, stringify(detection)));
  if (diagnostics.length) return fail(`the rule breaks the Sentinel contract: ${diagnostics.map((d) => `${d.path} ${d.message.replace(/^\/\S* /, '')}`).join('; ')}`);
  return { detection, dropped, notes };
}

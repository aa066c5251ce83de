/**
 * Platform rules: what Sentinel and Defender accept beyond a query that binds. They read the bound query's
 * result schema, so a mapping to a column the query does not return is caught before deploy, not by the API.
 * Limits come from the reference notes on the Sentinel alertRules and Graph detectionRule contracts.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { LoadedDetection } from '../detection/library.ts';
import type { KqlAnalysis } from '../kql/analyzer.ts';
import type { Platform } from '../kql/table-schemas.ts';
import { closest } from '../util/did-you-mean.ts';
import { DAY, HOUR, MINUTE, parseIsoDuration } from '../util/iso-duration.ts';

type Path = (string | number)[];

class Reporter {
  readonly out: Diagnostic[] = [];
  constructor(private readonly loaded: LoadedDetection) {}
  report(path: Path, severity: Diagnostic['severity'], code: string, message: string, hint?: string): void {
    const pos = this.loaded.source.positionOf(path);
    this.out.push({
      file: this.loaded.file, line: pos.line, column: pos.column,
      path: path.map((p) => '/' + String(p)).join(''), severity, code, message, ...(hint ? { hint } : {}),
    });
  }
  /** A mapped column must be one the query returns. */
  column(path: Path, column: string, result: Set<string> | null, platform: Platform, what: string): void {
    if (!result || result.has(column)) return;
    const guess = closest(column, result);
    this.report(path, 'error', `platform/${platform}-unknown-column`,
      `${what} maps column \`${column}\`, which the query does not return on ${platform}`,
      guess ? `did you mean \`${guess}\`?` : `the query returns: ${[...result].join(', ')}`);
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

function checkFormatString(r: Reporter, path: Path, text: string | undefined, result: Set<string> | null, platform: Platform): void {
  if (!text) return;
  const cols = placeholders(text);
  if (cols.length > 3) {
    r.report(path, 'error', `platform/${platform}-too-many-placeholders`,
      `${cols.length} distinct {{column}} placeholders; ${platform === 'sentinel' ? 'Sentinel' : 'Defender'} allows at most 3`);
  }
  for (const c of cols) r.column(path, c, result, platform, 'placeholder');
}

// Defender custom detections: required result columns (Learn: "Create and manage custom detection rules").
const STRONG_IDENTIFIERS = [
  'DeviceId', 'DeviceName', 'RemoteDeviceName', 'RecipientEmailAddress', 'SenderFromAddress', 'SenderMailFromAddress',
  'SenderObjectId', 'RecipientObjectId', 'AccountObjectId', 'AccountSid', 'AccountUpn', 'InitiatingProcessAccountSid',
  'InitiatingProcessAccountUpn', 'InitiatingProcessAccountObjectId',
];
const NRT_DEFENDER_TABLES = new Set([
  'AlertEvidence', 'CloudAppEvents', 'DeviceEvents', 'DeviceFileCertificateInfo', 'DeviceFileEvents', 'DeviceImageLoadEvents',
  'DeviceLogonEvents', 'DeviceNetworkEvents', 'DeviceNetworkInfo', 'DeviceInfo', 'DeviceProcessEvents', 'DeviceRegistryEvents',
  'EmailAttachmentInfo', 'EmailEvents', 'EmailPostDeliveryEvents', 'EmailUrlInfo', 'IdentityDirectoryEvents',
  'IdentityLogonEvents', 'IdentityQueryEvents', 'UrlClickEvents',
]);
const SENTINEL_ONLY_TABLES = new Set(['SigninLogs', 'AuditLogs', 'SecurityEvent', 'Syslog', 'CommonSecurityLog', 'ThreatIntelligenceIndicator']);

function requiredDefenderColumns(tables: string[]): string[] {
  const xdr = tables.filter((t) => !SENTINEL_ONLY_TABLES.has(t) && !t.endsWith('_CL'));
  if (xdr.length === 0) return ['TimeGenerated'];
  if (xdr.some((t) => t.startsWith('Device') && !t.startsWith('DeviceTvm'))) return ['Timestamp', 'DeviceId', 'ReportId'];
  if (xdr.every((t) => t.startsWith('Alert'))) return ['Timestamp'];
  return ['Timestamp', 'ReportId'];
}

function checkDefender(r: Reporter, loaded: LoadedDetection, analysis: KqlAnalysis | undefined): void {
  const d = loaded.detection.defender!;
  const result = analysis?.resultColumns ? new Set(analysis.resultColumns.map((c) => c.name)) : null;
  if (result && analysis) {
    const missing = requiredDefenderColumns(analysis.tablesReferenced).filter((c) => !result.has(c));
    if (missing.length) {
      r.report(['query'], 'error', 'platform/defender-required-columns',
        `a Defender custom detection must return ${missing.map((c) => `\`${c}\``).join(', ')}; the query does not`,
        'keep them through project/summarize, e.g. `summarize arg_max(Timestamp, ReportId, DeviceName) by DeviceId`; Timestamp must be returned unmodified');
    }
    if (!STRONG_IDENTIFIERS.some((c) => result.has(c))) {
      r.report(['query'], 'error', 'platform/defender-no-identifier',
        'a Defender custom detection must return at least one impacted-asset identifier column',
        `return one of: ${STRONG_IDENTIFIERS.slice(0, 6).join(', ')}, …`);
    }
  }
  const freq = d.frequency ?? 'PT1H';
  if (d.lookback !== undefined) {
    const lookback = parseIsoDuration(d.lookback);
    if (freq === 'PT0S') {
      r.report(['defender', 'lookback'], 'error', 'platform/defender-lookback', 'continuous (NRT, frequency PT0S) rules have no lookback', 'remove `lookback`');
    } else if (lookback !== null) {
      if (lookback < parseIsoDuration(freq)!) r.report(['defender', 'lookback'], 'error', 'platform/defender-lookback', `lookback ${d.lookback} is shorter than frequency ${freq}`);
      if (lookback < 5 * MINUTE || lookback > 30 * DAY) r.report(['defender', 'lookback'], 'error', 'platform/defender-lookback', `lookback ${d.lookback} is outside PT5M..P30D`);
    }
  }
  if (freq === 'PT0S' && analysis) {
    const tables = analysis.tablesReferenced;
    if (tables.length !== 1) r.report(['defender', 'frequency'], 'error', 'platform/defender-nrt', `continuous (NRT) rules must query exactly one table; this one queries ${tables.join(', ') || 'none'}`);
    else if (!NRT_DEFENDER_TABLES.has(tables[0]!)) r.report(['defender', 'frequency'], 'error', 'platform/defender-nrt', `table ${tables[0]} does not support continuous (NRT) rules`);
    const q = loaded.detection.query;
    for (const [re, what] of [[/\bjoin\b/, 'join'], [/\bunion\b/, 'union'], [/\bexternaldata\b/, 'externaldata'], [/\/\//, 'comments']] as const) {
      if (re.test(q)) r.report(['defender', 'frequency'], 'error', 'platform/defender-nrt', `continuous (NRT) rules cannot use ${what}`, 'use a scheduled frequency (PT1H) or simplify the query');
    }
  }
  checkFormatString(r, ['defender', 'alert', 'title'], d.alert?.title, result, 'defender');
  checkFormatString(r, ['defender', 'alert', 'description'], d.alert?.description, result, 'defender');
  for (const [collection, entries] of Object.entries(d.entityMappings ?? {})) {
    entries.forEach((entry, i) => {
      for (const [field, col] of Object.entries(entry)) r.column(['defender', 'entityMappings', collection, i, field], col, result, 'defender', `entity mapping ${collection}.${field}`);
    });
  }
  for (const [key, col] of Object.entries(d.customDetails ?? {})) r.column(['defender', 'customDetails', key], col, result, 'defender', `custom detail ${key}`);
  for (const [action, entries] of Object.entries(d.automatedActions ?? {})) {
    entries.forEach((entry, i) => {
      for (const [field, col] of Object.entries(entry)) {
        if (field.endsWith('Column') && typeof col === 'string') r.column(['defender', 'automatedActions', action, i, field], col, result, 'defender', `automated action ${action}.${field}`);
      }
    });
  }
}

function checkSentinel(r: Reporter, loaded: LoadedDetection, analysis: KqlAnalysis | undefined): void {
  const s = loaded.detection.sentinel!;
  const result = analysis?.resultColumns ? new Set(analysis.resultColumns.map((c) => c.name)) : null;
  if ((s.kind ?? 'scheduled') === 'nrt') {
    for (const field of ['queryFrequency', 'queryPeriod', 'triggerOperator', 'triggerThreshold'] as const) {
      if (s[field] !== undefined) r.report(['sentinel', field], 'error', 'platform/sentinel-nrt', `NRT rules have no ${field} (they run every minute, threshold > 0)`, `remove \`${field}\` or use kind: scheduled`);
    }
  } else {
    const freq = parseIsoDuration(s.queryFrequency ?? 'PT1H');
    const period = parseIsoDuration(s.queryPeriod ?? 'PT1H');
    for (const [field, value] of [['queryFrequency', freq], ['queryPeriod', period]] as const) {
      if (value !== null && (value < 5 * MINUTE || value > 14 * DAY)) r.report(['sentinel', field], 'error', 'platform/sentinel-schedule', `${field} must be between PT5M and P14D`);
    }
    if (freq !== null && period !== null) {
      if (period < freq) r.report(['sentinel', 'queryPeriod'], 'error', 'platform/sentinel-schedule', `queryPeriod ${s.queryPeriod ?? 'PT1H'} is shorter than queryFrequency ${s.queryFrequency ?? 'PT1H'}`, 'a rule must look back at least as far as the interval between runs, or events fall between runs');
      if (period >= 2 * DAY && freq < HOUR) r.report(['sentinel', 'queryFrequency'], 'error', 'platform/sentinel-schedule', 'when queryPeriod is 2 days or more, queryFrequency must be at least PT1H');
    }
  }
  if (s.suppression?.duration) {
    const dur = parseIsoDuration(s.suppression.duration);
    if (dur !== null && (dur <= 0 || dur > DAY)) r.report(['sentinel', 'suppression', 'duration'], 'error', 'platform/sentinel-suppression', 'suppression duration must be more than 0 and at most PT24H');
  }
  const mappedTypes = new Set((s.entityMappings ?? []).map((m) => m.entityType));
  (s.entityMappings ?? []).forEach((m, i) => {
    m.fieldMappings.forEach((f, j) => r.column(['sentinel', 'entityMappings', i, 'fieldMappings', j, 'columnName'], f.columnName, result, 'sentinel', `entity ${m.entityType}.${f.identifier}`));
    const ids = m.fieldMappings.map((f) => f.identifier);
    if (m.entityType === 'FileHash' && !(ids.includes('Algorithm') && ids.includes('Value'))) {
      r.report(['sentinel', 'entityMappings', i], 'error', 'platform/sentinel-entity', 'a FileHash entity needs both Algorithm and Value');
    }
  });
  for (const [key, col] of Object.entries(s.customDetails ?? {})) r.column(['sentinel', 'customDetails', key], col, result, 'sentinel', `custom detail ${key}`);
  const o = s.alertDetailsOverride;
  if (o) {
    checkFormatString(r, ['sentinel', 'alertDetailsOverride', 'alertDisplayNameFormat'], o.alertDisplayNameFormat, result, 'sentinel');
    checkFormatString(r, ['sentinel', 'alertDetailsOverride', 'alertDescriptionFormat'], o.alertDescriptionFormat, result, 'sentinel');
    if (o.alertTacticsColumnName) r.column(['sentinel', 'alertDetailsOverride', 'alertTacticsColumnName'], o.alertTacticsColumnName, result, 'sentinel', 'alertTacticsColumnName');
    if (o.alertSeverityColumnName) r.column(['sentinel', 'alertDetailsOverride', 'alertSeverityColumnName'], o.alertSeverityColumnName, result, 'sentinel', 'alertSeverityColumnName');
    (o.alertDynamicProperties ?? []).forEach((p, i) => r.column(['sentinel', 'alertDetailsOverride', 'alertDynamicProperties', i, 'value'], p.value, result, 'sentinel', `dynamic property ${p.alertProperty}`));
  }
  const g = s.incident?.grouping;
  if (g) {
    const lookback = g.lookbackDuration ? parseIsoDuration(g.lookbackDuration) : null;
    if (lookback !== null && (lookback < 5 * MINUTE || lookback > 7 * DAY)) r.report(['sentinel', 'incident', 'grouping', 'lookbackDuration'], 'error', 'platform/sentinel-grouping', 'grouping lookbackDuration must be between PT5M and P7D');
    if (g.matchingMethod === 'Selected' && !(g.groupByEntities?.length || g.groupByAlertDetails?.length || g.groupByCustomDetails?.length)) {
      r.report(['sentinel', 'incident', 'grouping', 'matchingMethod'], 'error', 'platform/sentinel-grouping', 'matchingMethod Selected needs at least one groupByEntities, groupByAlertDetails or groupByCustomDetails entry');
    }
    (g.groupByEntities ?? []).forEach((t, i) => {
      if (!mappedTypes.has(t)) r.report(['sentinel', 'incident', 'grouping', 'groupByEntities', i], 'error', 'platform/sentinel-grouping', `groupByEntities names ${t}, which the rule does not map`, `mapped entity types: ${[...mappedTypes].join(', ') || 'none'}`);
    });
    (g.groupByCustomDetails ?? []).forEach((k, i) => {
      if (!(k in (s.customDetails ?? {}))) r.report(['sentinel', 'incident', 'grouping', 'groupByCustomDetails', i], 'error', 'platform/sentinel-grouping', `groupByCustomDetails names ${k}, which is not a customDetails key`);
    });
  }
  if (/\b(search|union)\s+\*/.test(loaded.detection.query)) {
    r.report(['query'], 'error', 'platform/sentinel-query', 'Sentinel rules must not use `search *` or `union *`', 'name the tables explicitly');
  }
}

export function checkPlatformRules(loaded: LoadedDetection, analyses: Map<Platform, KqlAnalysis>): Diagnostic[] {
  const r = new Reporter(loaded);
  const { detection } = loaded;
  if (!detection.defender?.enabled && !detection.sentinel?.enabled && detection.status !== 'deprecated') {
    r.report([], 'warning', 'platform/none-enabled', 'the detection is enabled on no platform, so it is never deployed', 'add `sentinel: {enabled: true}` and/or `defender: {enabled: true}`');
  }
  if (detection.defender?.enabled) checkDefender(r, loaded, analyses.get('defender'));
  if (detection.sentinel?.enabled) checkSentinel(r, loaded, analyses.get('sentinel'));
  return r.out;
}

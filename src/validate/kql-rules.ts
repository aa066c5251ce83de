/**
 * KQL checks: parse and bind the query with Kusto.Language against each enabled platform's table schemas,
 * and report Kusto's diagnostics at their line and column inside the YAML file.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { LoadedDetection } from '../detection/library.ts';
import { enabledPlatforms } from '../detection/types.ts';
import { analyzeKql, type KqlAnalysis, type KqlDiagnostic } from '../kql/analyzer.ts';
import { tablesFor, type Platform } from '../kql/table-schemas.ts';
import { DEFENDER_FUNCTIONS } from '../kql/defender-functions.ts';

export interface KqlCheck {
  diagnostics: Diagnostic[];
  /** Bound analyses per enabled platform, for the platform rules that read the result schema. */
  analyses: Map<Platform, KqlAnalysis>;
}

export function checkKql(loaded: LoadedDetection): KqlCheck {
  const { file, detection, source } = loaded;
  const analyses = new Map<Platform, KqlAnalysis>();
  const diagnostics: Diagnostic[] = [];
  // Several platforms often report the same mistake at the same spot; say it once, naming both.
  const merged = new Map<string, { d: KqlDiagnostic; platforms: Platform[] }>();
  for (const platform of enabledPlatforms(detection)) {
    const analysis = analyzeKql(detection.query, platform);
    analyses.set(platform, analysis);
    for (const d of analysis.diagnostics) {
      if (d.severity === 'suggestion') continue;
      const key = `${d.start}|${d.code}|${d.message}`;
      const entry = merged.get(key);
      if (entry) entry.platforms.push(platform);
      else merged.set(key, { d, platforms: [platform] });
    }
  }
  for (const { d, platforms } of merged.values()) {
    const pos = source.positionInScalar(['query'], d.start);
    const hint = hintFor(d, platforms, detection.query);
    diagnostics.push({
      file, line: pos.line, column: pos.column, path: '/query',
      severity: d.severity === 'error' ? 'error' : 'warning',
      code: `kql/${d.code}`,
      message: `${d.message} [${platforms.join(', ')}]`,
      ...(hint ? { hint } : {}),
    });
  }
  return { diagnostics, analyses };
}

function hintFor(d: KqlDiagnostic, platforms: Platform[], query: string): string | undefined {
  const name = /The name '([^']+)'/.exec(d.message)?.[1];
  if (!name) return undefined;
  const onlyDefender = platforms.length === 1 && platforms[0] === 'defender';
  const onlySentinel = platforms.length === 1 && platforms[0] === 'sentinel';
  if (DEFENDER_FUNCTIONS.has(name) && onlySentinel) {
    return `${name}() exists only in Defender advanced hunting; disable the sentinel block, or enrich the rows another way on Sentinel.`;
  }
  if (name === 'TimeGenerated' && onlyDefender) {
    return 'Defender advanced hunting has no TimeGenerated; use Timestamp (the Sentinel build rewrites it to TimeGenerated).';
  }
  const before = query.slice(Math.max(0, d.start - 20), d.start);
  if (onlyDefender && /AdditionalFields\s*\.\s*$/.test(before)) {
    return `AdditionalFields is a JSON string in Defender; write todynamic(AdditionalFields).${name}, which works on both platforms.`;
  }
  for (const other of ['defender', 'sentinel'] as const) {
    if (platforms.includes(other)) continue;
    if (tablesFor(other).has(name)) {
      return `table ${name} exists only on ${other}; disable the ${platforms.join('/')} block or use a table that exists there.`;
    }
    const withColumn = [...tablesFor(other).values()].find((t) => t.columns.some((c) => c.name === name));
    if (withColumn && (onlyDefender || onlySentinel)) {
      return `column ${name} exists on ${other} (${withColumn.name}) but not on ${platforms[0]}.`;
    }
  }
  return undefined;
}

/**
 * KQL checks: bind the query each enabled platform will run (the build's dialect rewrite applied: Timestamp →
 * TimeGenerated on Sentinel, todynamic() around dynamic-only access on Defender) with Kusto.Language against that
 * platform's table schemas, and report Kusto's diagnostics at their line and column inside the YAML file. So
 * validation, tests and the build agree on what is valid.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { LoadedDetection } from '../detection/library.ts';
import { enabledPlatforms } from '../detection/types.ts';
import { queryForPlatform } from '../build/dialect.ts';
import type { KqlAnalysis, KqlDiagnostic } from '../kql/analyzer.ts';
import { tablesFor, type Platform } from '../kql/table-schemas.ts';
import { DEFENDER_FUNCTIONS } from '../kql/defender-functions.ts';
import type { BridgeObject } from '../kql/kusto-language.ts';
import { kind, listItems } from '../engine/compiler/context.ts';
import { re2, REGEX_ARGUMENT } from '../engine/values/strings.ts';

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
    const dialect = queryForPlatform(detection.query, platform);
    analyses.set(platform, dialect.analysis);
    for (const emitted of dialect.analysis.diagnostics) {
      if (emitted.severity === 'suggestion') continue;
      const d = { ...emitted, start: dialect.sourceOffset(emitted.start) };
      const key = `${d.start}|${d.code}|${d.message}`;
      const entry = merged.get(key);
      if (entry) entry.platforms.push(platform);
      else merged.set(key, { d, platforms: [platform] });
    }
    // Defender runs a different text than the author wrote: say so once, at the first rewritten reference.
    if (platform === 'defender' && dialect.edits.length) {
      const pos = source.positionInScalar(['query'], dialect.edits[0]!.start);
      diagnostics.push({
        file, line: pos.line, column: pos.column, path: '/query', severity: 'warning', code: 'kql/defender-dynamic-access',
        message: `property access on a column that is a JSON string in Defender; the Defender build wraps it: ${dialect.rewrites.join('; ')} [defender]`,
        hint: 'write todynamic(AdditionalFields).name so the query reads the same on both platforms',
      });
    }
  }
  const first = enabledPlatforms(detection)[0];
  if (first) {
    const dialect = queryForPlatform(detection.query, first);
    for (const bad of invalidRegexes(dialect.analysis.code.Syntax)) {
      const pos = source.positionInScalar(['query'], dialect.sourceOffset(bad.start));
      diagnostics.push({
        file, line: pos.line, column: pos.column, path: '/query', severity: 'error', code: 'kql/invalid-regex', message: bad.message,
        hint: 'Kusto runs regular expressions with RE2: no lookarounds ((?=, (?!, (?<=, (?<!) and no backreferences (\\1)',
      });
    }
  }
  for (const { d, platforms } of merged.values()) {
    const pos = source.positionInScalar(['query'], d.start);
    const hint = hintFor(d, platforms);
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

function hintFor(d: KqlDiagnostic, platforms: Platform[]): string | undefined {
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

/**
 * Constant patterns RE2 rejects (`matches regex "(?=x)"`, `extract("(a", 1, s)`): Kusto.Language does not check
 * them, and Kusto fails the query when it runs, so the rule would only fail in the tenant.
 */
function invalidRegexes(root: BridgeObject): { start: number; message: string }[] {
  const found: { start: number; message: string }[] = [];
  const check = (node: BridgeObject | undefined) => {
    if (!node || kind(node) !== 'StringLiteralExpression') return;
    try {
      re2(String(node.LiteralValue));
    } catch (err) {
      found.push({ start: node.TextStart, message: (err as Error).message });
    }
  };
  const visit = (node: BridgeObject) => {
    if (!node) return;
    const k = kind(node);
    if (k === 'MatchesRegexExpression') check(node.Right);
    if (k === 'FunctionCallExpression') {
      const args = listItems(node.ArgumentList?.Expressions);
      const name = String(node.Name?.SimpleName ?? '').toLowerCase();
      const positional = !args.some((a) => kind(a) === 'SimpleNamedExpression');
      const at = REGEX_ARGUMENT[name];
      if (positional && at !== undefined) check(args[at]);
      if (positional && name === 'countof' && args[2] && kind(args[2]) === 'StringLiteralExpression' && String(args[2].LiteralValue) === 'regex') check(args[1]);
    }
    for (let i = 0; i < node.ChildCount; i++) visit(node.GetChild(i));
  };
  visit(root);
  return found;
}

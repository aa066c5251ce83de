/**
 * Per-platform query dialect. Detections are written in the Defender dialect (Timestamp); Sentinel rule
 * windows filter on TimeGenerated, so the Sentinel build renames references to a table's Defender time
 * column. The rename edits the text spans of name references that Kusto.Language bound to that column
 * (and declarations of the same name, so the query stays consistent), never a textual search-and-replace:
 * strings, comments and unrelated identifiers containing "Timestamp" are untouched. The Defender build
 * makes the opposite adjustment for columns that are dynamic only on Sentinel (see defenderDialect).
 */
import { analyzeKql, type KqlAnalysis, type KqlDiagnostic } from '../kql/analyzer.ts';
import { kustoLanguage, type BridgeObject } from '../kql/kusto-language.ts';
import { tablesFor, type Platform } from '../kql/table-schemas.ts';

export interface DialectResult {
  query: string;
  /** Human-readable notes on what was rewritten, for the build log and PR review. */
  rewrites: string[];
  /** Errors binding the emitted query on its platform (the build fails on any). */
  diagnostics: KqlDiagnostic[];
  /** The emitted query bound on its platform (validation reads its diagnostics and result schema). */
  analysis: KqlAnalysis;
  /** Source spans the rewrite replaced, in source offsets. */
  edits: { start: number; end: number }[];
  /** Maps an offset in the emitted query back to the source query, so errors point at the YAML line. */
  sourceOffset(emittedOffset: number): number;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

export function queryForPlatform(query: string, platform: Platform): DialectResult {
  if (platform === 'defender') return defenderDialect(query);
  const analysis = analyzeKql(query, 'sentinel');
  const defenderTables = tablesFor('defender');
  const sentinelTables = tablesFor('sentinel');
  // Rename only when every referenced table that has a Defender time column uses another one on Sentinel.
  const renames = new Map<string, string>();
  for (const table of analysis.tablesReferenced) {
    const from = defenderTables.get(table)?.timeColumn;
    const to = sentinelTables.get(table)?.timeColumn;
    if (from && to && from !== to) renames.set(from, to);
  }
  if (renames.size === 0) return emitted(query, 'sentinel', [], [], analysis);
  const L = kustoLanguage();
  const SK = L.Syntax.SyntaxKind;
  const edits: Edit[] = [];
  const visit = (node: BridgeObject) => {
    if (!node) return;
    if (node.Kind === SK.NameReference || node.Kind === SK.NameDeclaration) {
      const name = query.slice(node.TextStart, node.TextStart + node.Width);
      const sym = node.ReferencedSymbol;
      const isColumn = node.Kind === SK.NameDeclaration || (sym && sym instanceof L.Symbols.ColumnSymbol);
      const target = renames.get(name);
      if (target && isColumn) edits.push({ start: node.TextStart, end: node.TextStart + node.Width, text: target });
      return;
    }
    for (let i = 0; i < node.ChildCount; i++) visit(node.GetChild(i));
  };
  visit(analysis.code.Syntax);
  const rewritten = applyEdits(query, edits);
  const rewrites = edits.length ? [...renames].map(([from, to]) => `${from} → ${to} (${edits.length} reference${edits.length === 1 ? '' : 's'})`) : [];
  return emitted(rewritten, 'sentinel', rewrites, edits, edits.length ? undefined : analysis);
}

/**
 * Defender: columns such as AdditionalFields are JSON strings there but dynamic on Sentinel, so
 * `AdditionalFields.x` / `AdditionalFields["x"]` only bind on Sentinel. The Defender build wraps the column
 * reference of such a path or element access in todynamic(...), which is a no-op on Sentinel's dynamic column.
 */
function defenderDialect(query: string): DialectResult {
  const analysis = analyzeKql(query, 'defender');
  const defenderTables = tablesFor('defender');
  const sentinelTables = tablesFor('sentinel');
  const stringOnDefender = new Set<string>();
  for (const table of analysis.tablesReferenced) {
    const sentinelTypes = new Map((sentinelTables.get(table)?.columns ?? []).map((c) => [c.name, c.type]));
    for (const c of defenderTables.get(table)?.columns ?? []) {
      if (c.type === 'string' && sentinelTypes.get(c.name) === 'dynamic') stringOnDefender.add(c.name);
    }
  }
  if (stringOnDefender.size === 0) return emitted(query, 'defender', [], [], analysis);
  const L = kustoLanguage();
  const SK = L.Syntax.SyntaxKind;
  const edits: Edit[] = [];
  const visit = (node: BridgeObject) => {
    if (!node) return;
    if (node.Kind === SK.PathExpression || node.Kind === SK.ElementExpression) {
      const target = node.GetChild(0);
      const sym = target?.ReferencedSymbol;
      if (target?.Kind === SK.NameReference && sym instanceof L.Symbols.ColumnSymbol && stringOnDefender.has(sym.Name)) {
        edits.push({ start: target.TextStart, end: target.TextStart + target.Width, text: `todynamic(${sym.Name})` });
      }
    }
    for (let i = 0; i < node.ChildCount; i++) visit(node.GetChild(i));
  };
  visit(analysis.code.Syntax);
  const rewritten = applyEdits(query, edits);
  const wrapped = [...new Set(edits.map((e) => e.text))];
  const rewrites = edits.length ? [`${wrapped.join(', ')} around dynamic property access (${edits.length} reference${edits.length === 1 ? '' : 's'})`] : [];
  return emitted(rewritten, 'defender', rewrites, edits, edits.length ? undefined : analysis);
}

/** The result for an emitted query; `bound` is reused when the query was not changed (binding costs the most). */
function emitted(query: string, platform: Platform, rewrites: string[], edits: Edit[], bound?: KqlAnalysis): DialectResult {
  const analysis = bound ?? analyzeKql(query, platform);
  return {
    query,
    rewrites,
    analysis,
    diagnostics: analysis.diagnostics.filter((d) => d.severity === 'error'),
    edits: edits.map(({ start, end }) => ({ start, end })),
    sourceOffset: edits.length ? offsetMapper(edits) : (o) => o,
  };
}

/** Emitted offset → source offset: undo the length change of every edit before it (inside an edit: its start). */
function offsetMapper(edits: readonly Edit[]): (offset: number) => number {
  const ordered = [...edits].sort((a, b) => a.start - b.start);
  return (offset) => {
    let shift = 0;
    for (const e of ordered) {
      const emittedStart = e.start + shift;
      if (offset < emittedStart) break;
      if (offset < emittedStart + e.text.length) return e.start;
      shift += e.text.length - (e.end - e.start);
    }
    return offset - shift;
  };
}

/** Applies span edits from the end of the text backwards, so earlier offsets stay valid. */
function applyEdits(query: string, edits: Edit[]): string {
  let out = query;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}


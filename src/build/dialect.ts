/**
 * Per-platform query dialect. Detections are written in the Defender dialect (Timestamp); Sentinel rule
 * windows filter on TimeGenerated, so the Sentinel build renames references to a table's Defender time
 * column. The rename edits the text spans of name references that Kusto.Language bound to that column
 * (and declarations of the same name, so the query stays consistent), never a textual search-and-replace:
 * strings, comments and unrelated identifiers containing "Timestamp" are untouched.
 */
import { analyzeKql, type KqlDiagnostic } from '../kql/analyzer.ts';
import { kustoLanguage, type BridgeObject } from '../kql/kusto-language.ts';
import { tablesFor, type Platform } from '../kql/table-schemas.ts';

export interface DialectResult {
  query: string;
  /** Human-readable notes on what was rewritten, for the build log and PR review. */
  rewrites: string[];
  /** Errors binding the emitted query on its platform (the build fails on any). */
  diagnostics: KqlDiagnostic[];
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

export function queryForPlatform(query: string, platform: Platform): DialectResult {
  if (platform === 'defender') {
    return { query, rewrites: [], diagnostics: errorsOf(query, platform) };
  }
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
  if (renames.size === 0) return { query, rewrites: [], diagnostics: errorsOf(query, 'sentinel') };
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
  let rewritten = query;
  for (const e of edits.sort((a, b) => b.start - a.start)) rewritten = rewritten.slice(0, e.start) + e.text + rewritten.slice(e.end);
  const rewrites = edits.length ? [...renames].map(([from, to]) => `${from} → ${to} (${edits.length} reference${edits.length === 1 ? '' : 's'})`) : [];
  return { query: rewritten, rewrites, diagnostics: errorsOf(rewritten, 'sentinel') };
}

function errorsOf(query: string, platform: Platform): KqlDiagnostic[] {
  return analyzeKql(query, platform).diagnostics.filter((d) => d.severity === 'error');
}

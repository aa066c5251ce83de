/**
 * The columns a query declares for each `externaldata(...)[URL]` it reads, from Kusto.Language's bound tree.
 * Test fixtures for a URL are checked and typed against this declaration: without it a misspelled column in
 * the fixture would silently arrive as null and the test would fail for a reason the author cannot see.
 */
import { columnsOfType, kind, listItems } from '../engine/compiler/context.ts';
import type { EngineColumn } from '../engine/index.ts';
import { analyzeKql } from '../kql/analyzer.ts';
import type { BridgeObject } from '../kql/kusto-language.ts';
import type { Platform } from '../kql/table-schemas.ts';

export function externalDataSchemas(query: string, platform: Platform): Map<string, EngineColumn[]> {
  const out = new Map<string, EngineColumn[]>();
  const visit = (node: BridgeObject) => {
    if (!node) return;
    if (kind(node) === 'ExternalDataExpression') {
      const columns = columnsOfType(node.ResultType);
      for (const uri of listItems(node.URIs)) {
        // Same URL text the engine keys its fixtures by: the literal's value, else its source text.
        const url = String(uri.LiteralValue ?? query.slice(uri.TextStart, uri.TextStart + uri.Width));
        if (columns.length) out.set(url, columns);
      }
    }
    for (let i = 0; i < node.ChildCount; i++) visit(node.GetChild(i));
  };
  visit(analyzeKql(query, platform).code.Syntax);
  return out;
}

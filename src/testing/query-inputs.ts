/**
 * What a query reads, from Kusto.Language's syntax tree: the names it references (tables among them) and the
 * columns it declares for each `externaldata(...)[URL]`. Test fixtures are checked against this: without it a
 * misspelt externaldata column or table name would silently arrive as nothing and the test would fail for a
 * reason the author cannot see.
 */
import { columnsOfType, kind, listItems } from '../engine/compiler/context.ts';
import type { EngineColumn } from '../engine/index.ts';
import { analyzeKql } from '../kql/analyzer.ts';
import { watchlistAlias } from '../kql/sentinel-functions.ts';
import type { BridgeObject } from '../kql/kusto-language.ts';
import type { Platform } from '../kql/table-schemas.ts';

export interface QueryInputs {
  /** Every name the query references (tables, columns, lets); a fixture table not among them is not read. */
  names: Set<string>;
  /** Tables the query reads that the platform schema knows. */
  tables: string[];
  /** URL → declared columns of each externaldata source. */
  externalData: Map<string, EngineColumn[]>;
}

export function queryInputs(query: string, platform: Platform): QueryInputs {
  const analysis = analyzeKql(query, platform);
  const names = new Set<string>();
  const externalData = new Map<string, EngineColumn[]>();
  const visit = (node: BridgeObject) => {
    if (!node) return;
    const k = kind(node);
    if (k === 'NameReference') names.add(query.slice(node.TextStart, node.TextStart + node.Width).replace(/^\[['"]?|['"]?\]$/g, ''));
    // A watchlist's rows are the fixture table named by its alias.
    const alias = watchlistAlias(node);
    if (alias) names.add(alias);
    if (k === 'ExternalDataExpression') {
      const columns = columnsOfType(node.ResultType);
      for (const uri of listItems(node.URIs)) {
        // Same URL text the engine keys its fixtures by: the literal's value, else its source text.
        const url = String(uri.LiteralValue ?? query.slice(uri.TextStart, uri.TextStart + uri.Width));
        if (columns.length) externalData.set(url, columns);
      }
    }
    for (let i = 0; i < node.ChildCount; i++) visit(node.GetChild(i));
  };
  visit(analysis.code.Syntax);
  return { names, tables: analysis.tablesReferenced, externalData };
}

/**
 * Microsoft Sentinel's `_GetWatchlist('alias')`: the rows of a watchlist, whose columns are the watchlist's own
 * (SearchKey and the columns of its CSV), known only to the workspace. It is declared as
 * `_GetWatchlist(watchlistAlias:string) { table(watchlistAlias) }`: Kusto.Language binds the body per call with the
 * literal alias, so when a test gives a table named by the alias, the query binds against that table's columns,
 * and without one (validation) its columns stay open (unknown) rather than being reported as errors.
 */
import { kustoLanguage, type BridgeObject } from './kusto-language.ts';

export const WATCHLIST_FUNCTION = '_GetWatchlist';

let symbols: BridgeObject[] | undefined;

export function sentinelFunctionSymbols(): BridgeObject[] {
  const S = kustoLanguage().Symbols;
  symbols ??= [new S.FunctionSymbol.$ctor16(WATCHLIST_FUNCTION, '(watchlistAlias:string)', '{ table(watchlistAlias) }', 'rows of the Sentinel watchlist named by its alias')];
  return symbols;
}

/** The alias of a `_GetWatchlist('alias')` call node; null for another node or a computed alias. */
export function watchlistAlias(node: BridgeObject): string | null {
  const SK = kustoLanguage().Syntax.SyntaxKind;
  if (node?.Kind !== SK.FunctionCallExpression || String(node.Name?.SimpleName ?? '') !== WATCHLIST_FUNCTION) return null;
  const args = node.ArgumentList?.Expressions;
  if (!args || args.Count !== 1) return null;
  const arg = args.getItem(0).Element;
  return arg?.Kind === SK.StringLiteralExpression ? String(arg.LiteralValue) : null;
}

/**
 * The Kusto GlobalState a query is bound against: the platform's tables, the caller's extra tables (fixture-only
 * tables, so the query binds), and — for fixture tables a query `invoke`s (FileProfile, DeviceFromIP …) — a
 * function symbol whose body extends its input with the fixture's columns, so the binder knows the result type.
 * Cached per distinct set of tables and columns.
 */
import { globalStateFor } from '../../kql/analyzer.ts';
import { DEFENDER_FUNCTIONS } from '../../kql/defender-functions.ts';
import { kustoLanguage, type BridgeObject } from '../../kql/kusto-language.ts';
import { tablesFor, type Platform, type PlatformTable, type TableCatalog } from '../../kql/table-schemas.ts';
import type { Column } from '../values/types.ts';

const states = new Map<string, BridgeObject>();

export function engineGlobalState(platform: Platform, extra: Record<string, Column[]>, invoked: Set<string>): BridgeObject {
  const key = platform + '\0' + JSON.stringify(Object.entries(extra).sort(([a], [b]) => a.localeCompare(b))) + '\0' + [...invoked].sort().join(',');
  const cached = states.get(key);
  if (cached) return cached;
  const base = tablesFor(platform);
  const catalog: TableCatalog = new Map(base);
  for (const [name, columns] of Object.entries(extra)) {
    if (!catalog.has(name) && !invoked.has(name)) catalog.set(name, { name, timeColumn: null, columns } satisfies PlatformTable);
  }
  let state = globalStateFor(platform, catalog);
  // Defender's own FileProfile() is already declared with its documented columns; the fixture only serves rows.
  const functions = [...invoked].filter((name) => extra[name] && !(platform === 'defender' && DEFENDER_FUNCTIONS.has(name))).map((name) => invokeFunction(name, extra[name]!));
  if (functions.length > 0) state = state.WithDatabase(state.Database.AddMembers(functions));
  states.set(key, state);
  return state;
}

/** `Name(T:(*), key:string='', limit:long=0) { T | extend c1=type(null), … }` for a fixture table's columns. */
function invokeFunction(name: string, columns: Column[]): BridgeObject {
  const S = kustoLanguage().Symbols;
  const extend = columns.map((c) => `['${c.name}']=${c.type === 'string' ? "''" : `${c.type}(null)`}`).join(', '); // string(null) is not KQL
  return new S.FunctionSymbol.$ctor16(name, "(T:(*), key:string='', limit:long=0)", `{ T | extend ${extend} }`, `fixture table ${name}`);
}

/** Names used as `invoke Name(` in the query text that the caller supplies as tables. */
export function invokedFixtures(query: string, extra: Record<string, Column[]>): Set<string> {
  const out = new Set<string>();
  for (const m of query.matchAll(/\binvoke\s+([A-Za-z_][\w]*)\s*\(/g)) if (extra[m[1]!]) out.add(m[1]!);
  return out;
}

/**
 * Parse and bind KQL with Kusto.Language against one platform's table schemas.
 *
 * This is the single source of truth for what a query means: validation reads its diagnostics and result
 * schema, the build rewrites its syntax tree, and the engine compiles its bound tree.
 */
import { bridgeList, kustoLanguage, type BridgeObject } from './kusto-language.ts';
import { tablesFor, type ColumnDef, type KustoScalarType, type Platform, type TableCatalog } from './table-schemas.ts';
import { sentinelFunctionSymbols } from './sentinel-functions.ts';
import { defenderFunctionSymbols, FILE_PROFILE_KEYS, invokeKeyAt } from './defender-functions.ts';

export interface KqlDiagnostic {
  severity: 'error' | 'warning' | 'suggestion';
  code: string;
  message: string;
  /** Offset and length in the query text (UTF-16 code units). */
  start: number;
  length: number;
}

export interface KqlAnalysis {
  platform: Platform;
  diagnostics: KqlDiagnostic[];
  /** Columns of the query's tabular result; null when the query is not tabular or failed to bind. */
  resultColumns: ColumnDef[] | null;
  /** Names of the database tables the query references. */
  tablesReferenced: string[];
  /** The KustoCode object (syntax tree + binding) for stages that need the tree. */
  code: BridgeObject;
}

const globalStates = new Map<string, BridgeObject>();

/** The Kusto GlobalState holding `platform`'s tables; built once per platform and table directory. */
export function globalStateFor(platform: Platform, tables: TableCatalog = tablesFor(platform)): BridgeObject {
  // Tables other than the platform's own (fixture-only tables) are keyed by their columns too: two tests may give
  // a table of the same name different columns, and a state bound to the first would reject the second's.
  const base = tablesFor(platform);
  const key = platform + '\0' + [...tables].map(([name, t]) => (base.get(name) === t ? name : `${name}:${JSON.stringify(t.columns)}`)).join(',');
  const cached = globalStates.get(key);
  if (cached) return cached;
  const L = kustoLanguage();
  const S = L.Symbols;
  const tableSymbols = [...tables.values()].map(
    (t) =>
      new S.TableSymbol.$ctor4(
        t.name,
        t.columns.map((c) => new S.ColumnSymbol(c.name, S.ScalarTypes.GetSymbol(c.type), null)),
      ),
  );
  const db = new S.DatabaseSymbol.ctor(platform, [...tableSymbols, ...(platform === 'defender' ? defenderFunctionSymbols() : sentinelFunctionSymbols())]);
  const cluster = new S.ClusterSymbol.ctor(platform, [db]);
  const state = L.GlobalState.Default.WithCluster(cluster).WithDatabase(db);
  globalStates.set(key, state);
  return state;
}

/**
 * `invoke FileProfile(SHA1)`: the bare key column is reported unknown by the binder (see defender-functions.ts).
 * Dropped when the piped input has that column; otherwise said plainly. Other diagnostics pass unchanged.
 */
export function invokeKeyDiagnostic(root: BridgeObject, d: KqlDiagnostic): KqlDiagnostic | null {
  if (d.code !== 'KS142') return d;
  const key = invokeKeyAt(root, d.start);
  if (!key) return d;
  if (key.known) return null;
  return { ...d, message: `${key.function}(): '${key.column}' is not a column of its input; give the file id column (${FILE_PROFILE_KEYS.join(', ')})` };
}

const SEVERITY: Record<string, KqlDiagnostic['severity']> = {
  Error: 'error',
  Warning: 'warning',
  Suggestion: 'suggestion',
  Information: 'suggestion',
};

/**
 * Bound code per global state and query text. One detection's query is bound several times per platform — for the
 * emitted dialect, for what it reads, for the engine — and binding is most of `dac test`'s time after start-up
 * (~17 ms a query). KustoCode is immutable, so sharing it is safe; the oldest entries go past a few hundred texts.
 */
const boundCodes = new WeakMap<BridgeObject, Map<string, BridgeObject>>();
const BOUND_CODES_PER_STATE = 512;

export function parseAndAnalyze(query: string, state: BridgeObject): BridgeObject {
  let codes = boundCodes.get(state);
  if (!codes) boundCodes.set(state, (codes = new Map()));
  const cached = codes.get(query);
  if (cached) return cached;
  const code = kustoLanguage().KustoCode.ParseAndAnalyze(query, state);
  if (codes.size >= BOUND_CODES_PER_STATE) codes.delete(codes.keys().next().value!);
  codes.set(query, code);
  return code;
}

export function analyzeKql(query: string, platform: Platform, tables?: TableCatalog): KqlAnalysis {
  const code = parseAndAnalyze(query, globalStateFor(platform, tables));
  const diagnostics: KqlDiagnostic[] = [];
  for (const d of bridgeList(code.GetDiagnostics())) {
    const diagnostic: KqlDiagnostic = {
      severity: SEVERITY[String(d.Severity)] ?? 'error',
      code: String(d.Code),
      message: String(d.Message),
      start: d.Start,
      length: d.Length,
    };
    const adjusted = platform === 'defender' ? invokeKeyDiagnostic(code.Syntax, diagnostic) : diagnostic;
    if (adjusted) diagnostics.push(adjusted);
  }
  return {
    platform,
    diagnostics,
    resultColumns: resultColumnsOf(code),
    tablesReferenced: referencedTables(code),
    code,
  };
}

function resultColumnsOf(code: BridgeObject): ColumnDef[] | null {
  const rt = code.ResultType;
  if (!rt || !rt.Columns) return null;
  const cols: ColumnDef[] = [];
  for (const c of bridgeList(rt.Columns)) cols.push({ name: c.Name, type: kustoTypeName(c.Type) });
  return cols;
}

function kustoTypeName(type: BridgeObject): KustoScalarType {
  const name = String(type?.Name ?? 'dynamic');
  // Kusto reports `real` as "real", dynamic bags/arrays under their own display names.
  const known: KustoScalarType[] = ['string', 'int', 'long', 'real', 'bool', 'datetime', 'timespan', 'guid', 'decimal'];
  return (known as string[]).includes(name) ? (name as KustoScalarType) : 'dynamic';
}

function referencedTables(code: BridgeObject): string[] {
  const L = kustoLanguage();
  const found = new Set<string>();
  const root = code.Syntax;
  const stack: BridgeObject[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (!node) continue;
    const sym = node.ReferencedSymbol;
    if (sym && sym instanceof L.Symbols.TableSymbol && sym.Name) {
      // Only database tables, not `let` tabular variables (those have no table in the database).
      found.add(String(sym.Name));
    }
    for (let i = 0; i < node.ChildCount; i++) stack.push(node.GetChild(i));
  }
  return [...found].sort();
}

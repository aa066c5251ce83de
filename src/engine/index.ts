/**
 * The embedded KQL engine. A query is parsed and bound once by Kusto.Language (the same parser and binder
 * as validation), compiled to JS closures, and run on in-memory tables with a frozen clock. Bridge.NET
 * objects are only touched at compile time.
 */
import { invokeKeyDiagnostic, parseAndAnalyze } from '../kql/analyzer.ts';
import { bridgeList } from '../kql/kusto-language.ts';
import type { Platform } from '../kql/table-schemas.ts';
import { engineGlobalState, invokedFixtures } from './compiler/global-state.ts';
import { Env, type Runtime, type StageTrace } from './compiler/context.ts';
import { createTabularCompiler } from './compiler/tabular.ts';
import { EngineError, lineColumn } from './errors.ts';
import { parseDateTime } from './values/time.ts';
import { fromInput, toOutput, type Column, type Table, type Value } from './values/types.ts';
import { buildTableIndexes } from './values/table-index.ts';
import { buildJsonColumns, newRowCursor } from './values/json-columns.ts';

export { EngineError, MissingInputError, type MissingInput } from './errors.ts';
export type { StageTrace } from './compiler/context.ts';
export type { Column as EngineColumn, Table } from './values/types.ts';

export interface InputTable {
  columns: Column[];
  rows: unknown[][];
}

export interface RunOptions {
  now: string | Date;
  tables?: Record<string, InputTable>;
  externaldata?: Record<string, InputTable>;
  trace?: boolean;
}

export interface QueryResult {
  columns: Column[];
  rows: Value[][];
  trace?: StageTrace[];
}

export interface CompiledQuery {
  columns: Column[];
  run(options: RunOptions): QueryResult;
}

export interface CompileOptions {
  platform: Platform;
  /** Tables beyond the platform schema (fixture-only tables), so the query binds. */
  extraTables?: Record<string, Column[]>;
}

export function compileQuery(query: string, options: CompileOptions): CompiledQuery {
  const extra = options.extraTables ?? {};
  const code = parseAndAnalyze(query, engineGlobalState(options.platform, extra, invokedFixtures(query, extra)));
  for (const raw of bridgeList(code.GetDiagnostics())) {
    if (String(raw.Severity) !== 'Error') continue;
    const d = invokeKeyDiagnostic(code.Syntax, { severity: 'error', code: String(raw.Code), message: String(raw.Message), start: raw.Start, length: raw.Length });
    if (!d) continue;
    const { line, column } = lineColumn(query, d.start);
    throw new EngineError(`KQL error ${d.code}: ${d.message}`, line, column);
  }
  const analysis = { code };
  const ctx = { query, env: new Env(), kindName: () => '' };
  const compiled = createTabularCompiler(ctx).block(analysis.code.Syntax);
  return {
    columns: compiled.columns,
    run(run: RunOptions): QueryResult {
      const now = typeof run.now === 'string' ? parseDateTime(run.now) : parseDateTime(run.now.toISOString());
      if (now === null) throw new EngineError(`invalid 'now': ${String(run.now)}`);
      const tables = convertTables(run.tables);
      const rt: Runtime = {
        now,
        tables,
        externaldata: convertTables(run.externaldata),
        memo: new Map(),
        cursor: newRowCursor(),
        ...(run.trace ? { trace: [] } : {}),
      };
      const table = compiled.plan(rt);
      return { columns: compiled.columns, rows: table.rows, ...(rt.trace ? { trace: rt.trace } : {}) };
    },
  };
}

/** Input values (JSON-ish) → engine values, once per run. Tables already converted pass through. */
function convertTables(tables: Record<string, InputTable> | undefined): Record<string, Table> {
  const out: Record<string, Table> = {};
  for (const [name, t] of Object.entries(tables ?? {})) {
    if (PREPARED in (t as object)) {
      out[name] = t as Table;
      continue;
    }
    out[name] = { columns: t.columns, rows: t.rows.map((row) => t.columns.map((c, i) => fromInput(row[i], c.type))) };
  }
  return out;
}

/** Marks rows that are already engine values (converted once by the caller, e.g. test fixtures or benchmarks). */
export const PREPARED = Symbol.for('kql-dac.prepared');

/**
 * Marks a table whose rows are already engine values (loaded once, reused across runs: benchmarks, large inputs).
 * With `schema` (e.g. the platform table's columns) rows are laid out in schema order and absent columns are
 * filled with typed nulls once here, so queries read the table without remapping every row on every run. The
 * table's indexes and parsed JSON columns are built here too (markPrepared), so their cost is part of loading.
 */
export function preparedTable(input: InputTable, schema?: Column[]): Table {
  const columns = schema ?? input.columns;
  const from = columns.map((c) => input.columns.findIndex((x) => x.name === c.name));
  const empty = columns.map((c) => (c.type === 'string' ? '' : null));
  const rows = input.rows.map((row) => columns.map((c, i) => (from[i]! < 0 ? empty[i] : fromInput(row[from[i]!], c.type))));
  return markPrepared({ columns, rows });
}

/**
 * Declares a table's rows to be engine values that will not change, and builds what load time can do for every
 * later run: equality indexes (values/table-index.ts) and parsed JSON columns (values/json-columns.ts).
 */
export function markPrepared(table: Table): Table {
  Object.defineProperty(table, PREPARED, { value: true });
  buildTableIndexes(table);
  buildJsonColumns(table);
  return table;
}

export function toJsonResult(result: QueryResult): { columns: Column[]; rows: unknown[][] } {
  return { columns: result.columns, rows: result.rows.map((row) => row.map((v, i) => toOutput(v, result.columns[i]!.type))) };
}

/** A trace stage's sample rows keyed by column, with the same JSON values as toJsonResult. */
export function traceSampleRecords(stage: StageTrace): Record<string, unknown>[] {
  const columns = stage.columns ?? [];
  return (stage.sample ?? []).map((row) => Object.fromEntries(columns.map((c, i) => [c.name, toOutput(row[i] ?? null, c.type)])));
}

/** compile + run + JSON values, for `dac query`, the conformance suite and quick checks. */
export function executeKql(query: string, options: Partial<RunOptions> & { platform?: Platform } = {}): { columns: Column[]; rows: unknown[][] } {
  const extraTables = Object.fromEntries(Object.entries(options.tables ?? {}).map(([k, t]) => [k, t.columns]));
  const compiled = compileQuery(query, { platform: options.platform ?? 'defender', extraTables });
  return toJsonResult(compiled.run({ now: options.now ?? '2000-01-01T00:00:00Z', ...(options.tables ? { tables: options.tables } : {}), ...(options.externaldata ? { externaldata: options.externaldata } : {}) }));
}

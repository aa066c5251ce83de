/**
 * Compiles tabular expressions (the query's pipes) into plans: functions from the run's inputs to a table.
 * Each operator's output columns are taken from Kusto.Language's bound result type, so names, order and
 * types match what validation saw; a stage records rows in/out for the failure trace.
 */
import type { BridgeObject } from '../../kql/kusto-language.ts';
import { WATCHLIST_FUNCTION, watchlistAlias } from '../../kql/sentinel-functions.ts';
import { EngineError, MissingInputError } from '../errors.ts';
import { compileJoin, joinKind } from '../operators/join.ts';
import { compileSort, compileTake, compileTop } from '../operators/order.ts';
import { compileDistinct, compileExtend, compileMvExpand, compileProject, compileReshape, compileWhere, type RowsFn } from '../operators/shape.ts';
import { compileSummarize } from '../operators/summarize.ts';
import { fromInput, type Column, type Table, type Value } from '../values/types.ts';
import { columnsOfType, kind, listItems, positionOf, RowScope, textOf, typeName, unsupported, type CompileContext, type Emit, type RowStep, type Runtime, type StageTrace, type TabularPlan } from './context.ts';
import { compileInvoke } from '../operators/invoke.ts';
import { compileParse } from '../operators/parse.ts';
import { createScalarCompiler, type ScalarCompiler } from './scalar.ts';
import { tableIndexes } from '../values/table-index.ts';
import { jsonColumns, type JsonColumns } from '../values/json-columns.ts';
import { windowFunctionIn } from '../functions/window.ts';

export interface CompiledTabular {
  columns: Column[];
  /** Runs the stage and pushes its rows into emit, in order, until emit returns false. */
  source: (rt: Runtime, emit: Emit) => void;
  /**
   * The pushed rows are scratch arrays reused for the next row (see Emit): a consumer that keeps one copies its
   * first `columns.length` values (a later extend may have grown the scratch in place).
   */
  transient: boolean;
  /** All rows as one table (copies of transient rows). */
  plan: TabularPlan;
  /** Set when this stage is a plain read of the named input table (lets a filter use the table's indexes). */
  baseTable?: string;
  /** Set when the rows are a serialized row set in Kusto's sense (window functions may read them). */
  serialized?: boolean;
}

/**
 * Kusto's serialized row sets (docs: window functions, serialize operator): range, sort/order, top and serialize
 * produce one; these keep it. Others (summarize, join, distinct, mv-expand, union, a let's result…) do not, here — a
 * window function after them is refused rather than given an order Kusto does not promise.
 */
const SERIALIZING = new Set(['SortOperator', 'TopOperator', 'SerializeOperator']);
const KEEPS_SERIALIZATION = new Set(['FilterOperator', 'ExtendOperator', 'ProjectOperator', 'ProjectAwayOperator', 'ProjectRenameOperator',
  'ProjectReorderOperator', 'ProjectKeepOperator', 'TakeOperator', 'ParseOperator', 'RenderOperator', 'AsOperator']);
/**
 * getschema's DataType column: the .NET type Kusto stores each scalar type as (System.DateTime, System.String and
 * System.Int64 are on the getschema page; the others are the same .NET names Kusto's client libraries use).
 */
const DOTNET_TYPES: Record<Column['type'], string> = {
  string: 'System.String', int: 'System.Int32', long: 'System.Int64', real: 'System.Double', decimal: 'System.Data.SqlTypes.SqlDecimal',
  bool: 'System.SByte', datetime: 'System.DateTime', timespan: 'System.TimeSpan', guid: 'System.Guid', dynamic: 'System.Object',
};
/** Stages that may call window functions. */
const WINDOWED_STAGES = new Set(['FilterOperator', 'ExtendOperator', 'ProjectOperator', 'SerializeOperator']);

function tabularOf(columns: Column[], transient: boolean, source: (rt: Runtime, emit: Emit) => void): CompiledTabular {
  return {
    columns,
    transient,
    source,
    plan: (rt) => {
      const rows: Value[][] = [];
      const width = columns.length;
      source(rt, transient ? (row) => { rows.push(row.slice(0, width)); } : (row) => { rows.push(row); });
      return { columns, rows };
    },
  };
}

/** Pushes a table's rows, stopping when asked. */
function pushAll(rows: Value[][], emit: Emit): void {
  for (let i = 0; i < rows.length; i++) if (emit(rows[i]!) === false) return;
}

/**
 * Rows picked by an index are scattered over a large table, so each costs a cache miss when the pipeline first
 * reads it, and a pipeline of closures waits for one miss at a time. Reading the next rows (and their parsed JSON
 * values) in a tight loop first lets the processor fetch them in parallel: 13–33% off four of the benchmark's five
 * queries at 1M rows (docs/engine.md#benchmark).
 * The reads are summed into a module variable so the loop is not removed as dead code.
 */
const TOUCH_BATCH = 32;
let touchSink = 0;
function touchAhead(rows: Value[][], ids: Int32Array, from: number, json: JsonColumns | undefined): void {
  const end = Math.min(ids.length, from + TOUCH_BATCH);
  const values = json ? json.values : [];
  let sink = 0;
  for (let i = from; i < end; i++) {
    const r = ids[i]!;
    if (rows[r]![0] === undefined) sink++;
    for (let k = 0; k < values.length; k++) if (typeof values[k]![r] === 'object') sink++;
  }
  touchSink += sink;
}

/**
 * Pushes a table's rows (or those numbered in `ids`, ascending), stopping when asked. For a table with parsed JSON
 * columns, the cursor names each row while it flows, so todynamic() of its text can use the parsed value.
 */
function readRows(rt: Runtime, table: Table, emit: Emit, ids?: Int32Array): void {
  const { rows } = table;
  const json = jsonColumns(table);
  if (!json) {
    if (!ids) return pushAll(rows, emit);
    for (let i = 0; i < ids.length; i++) {
      if (i % TOUCH_BATCH === 0) touchAhead(rows, ids, i, undefined);
      if (emit(rows[ids[i]!]!) === false) return;
    }
    return;
  }
  const cursor = rt.cursor;
  const count = ids ? ids.length : rows.length;
  for (let i = 0; i < count; i++) {
    if (ids && i % TOUCH_BATCH === 0) touchAhead(rows, ids, i, json);
    const r = ids ? ids[i]! : i;
    const row = rows[r]!;
    cursor.row = row;
    cursor.index = r;
    cursor.json = json;
    if (emit(row) === false) break;
  }
  cursor.json = null;
  cursor.row = null;
}

/** A stage computed as a whole table (datatable, print, range, a let's memoised result). */
function fromPlan(columns: Column[], plan: TabularPlan): CompiledTabular {
  return { columns, transient: false, plan, source: (rt, emit) => pushAll(plan(rt).rows, emit) };
}

/** The most rows the range operator produces here (it materialises them). */
const RANGE_ROW_LIMIT = 10_000_000;

export function createTabularCompiler(ctx: CompileContext) {
  const scalars: ScalarCompiler = createScalarCompiler(ctx, { tabular: (node) => tabular(node) });

  const newTrace = (node: BridgeObject, operator: string, columns: Column[]): StageTrace => ({ operator, ...positionOf(ctx, node), rowsIn: 0, rowsOut: 0, columns, sample: [] });

  /**
   * A row-at-a-time stage (where, extend, project…): no intermediate tables, so a chain of them costs one pass.
   * With tracing on, rows in and out and the first output rows are counted as they flow.
   */
  function streamed(node: BridgeObject, name: string, input: CompiledTabular, columns: Column[], step: RowStep, transient: boolean): CompiledTabular {
    return tabularOf(columns, transient, (rt, emit) => {
      if (!rt.trace) return input.source(rt, step(rt, emit));
      const entry = newTrace(node, name, columns);
      const inner = step(rt, (row) => {
        entry.rowsOut++;
        if (entry.sample!.length < 3) entry.sample!.push(row.slice(0, columns.length));
        return emit(row);
      });
      input.source(rt, (row) => {
        entry.rowsIn++;
        return inner(row);
      });
      rt.trace.push(entry);
    });
  }

  /**
   * `Table | where Column == "literal" and …`: on a table with an equality index for Column (values/table-index.ts),
   * only the rows holding the literal are visited (in table order) and the whole condition is still evaluated on
   * each; otherwise, and when tracing (the trace counts every row read), the plain filter runs.
   */
  function indexedFilter(node: BridgeObject, input: CompiledTabular, step: RowStep, plain: CompiledTabular): CompiledTabular {
    const probe = equalityProbe(node.Condition);
    if (!probe) return plain;
    const name = input.baseTable!;
    const layouts = new WeakMap<Table, boolean>();
    return tabularOf(input.columns, false, (rt, emit) => {
      const table = rt.tables[name];
      const indexes = table && !rt.trace ? tableIndexes(table) : undefined;
      if (!indexes) return plain.source(rt, emit);
      let sameLayout = layouts.get(table!);
      if (sameLayout === undefined) layouts.set(table!, (sameLayout = table!.columns.length === input.columns.length && table!.columns.every((c, i) => c.name === input.columns[i]!.name)));
      const byValue = sameLayout ? indexes.equality.get(table!.columns.findIndex((c) => c.name === probe.column)) : undefined;
      if (!byValue) return plain.source(rt, emit);
      const ids = byValue.get(probe.value);
      if (!ids) return;
      readRows(rt, table!, step(rt, emit), ids);
    });
  }

  /** A top-level conjunct `Column == "literal"` (either side, case-sensitive, string column). */
  function equalityProbe(condition: BridgeObject): { column: string; value: string } | null {
    const k = kind(condition);
    if (k === 'AndExpression') return equalityProbe(condition.Left) ?? equalityProbe(condition.Right);
    if (k === 'ParenthesizedExpression') return equalityProbe(condition.Expression);
    if (k !== 'EqualExpression') return null;
    for (const [col, lit] of [[condition.Left, condition.Right], [condition.Right, condition.Left]] as const) {
      const isColumn = kind(col) === 'NameReference' && String(col.ReferencedSymbol?.constructor?.$$name ?? '').endsWith('ColumnSymbol') && String(col.ResultType?.Name) === 'string';
      if (isColumn && kind(lit) === 'StringLiteralExpression') return { column: String(col.SimpleName), value: String(lit.LiteralValue ?? '') };
    }
    return null;
  }

  /** A stage that needs all its input first (sort, top, join…); its output rows are its own arrays. */
  function blocking(node: BridgeObject, name: string, input: CompiledTabular, columns: Column[], rowsFn: RowsFn): CompiledTabular {
    return tabularOf(columns, false, (rt, emit) => {
      const inRows = input.plan(rt).rows;
      const rows = rowsFn(inRows, rt);
      rt.trace?.push({ ...newTrace(node, name, columns), rowsIn: inRows.length, rowsOut: rows.length, sample: rows.slice(0, 3).map((r) => r.slice(0, columns.length)) });
      pushAll(rows, emit);
    });
  }

  function operator(node: BridgeObject, input: CompiledTabular): CompiledTabular {
    const stage = operatorStage(node, input);
    const k = kind(node);
    const serialized = SERIALIZING.has(k) || (KEEPS_SERIALIZATION.has(k) && input.serialized === true);
    return stage.serialized === serialized ? stage : { ...stage, serialized };
  }

  /**
   * A stage whose expressions call prev(), next(), row_number() or row_cumsum(): its input rows are collected and
   * each row is evaluated with Runtime.window naming its position (functions/window.ts).
   */
  function windowed(node: BridgeObject, label: string, input: CompiledTabular, out: Column[], windowFn: string): CompiledTabular {
    const k = kind(node);
    if (k !== 'SerializeOperator' && !input.serialized) {
      const { line, column } = positionOf(ctx, node);
      throw new EngineError(`${windowFn}() needs a serialized row set: put | serialize or | sort by … before this stage (Kusto fails the query otherwise)`, line, column);
    }
    const rowsWithWindow = tabularOf(input.columns, false, (rt, emit) => {
      const rows = input.plan(rt).rows;
      const saved = rt.window;
      const window = { rows, index: 0, state: new Map() };
      for (let i = 0; i < rows.length; i++) {
        window.index = i;
        rt.window = window; // again for each row: a subquery run mid-row may have set its own
        if (emit(rows[i]!) === false) break;
      }
      rt.window = saved;
    });
    ctx.inWindowedStage = true;
    try {
      if (k === 'FilterOperator') return streamed(node, label, rowsWithWindow, input.columns, compileWhere(node, input.columns, scalars), false);
      if (k === 'ProjectOperator') return streamed(node, label, rowsWithWindow, out, compileProject(ctx, node, input.columns, out, scalars), true);
      return streamed(node, label, rowsWithWindow, out, compileExtend(ctx, node, input.columns, out, scalars, false), true);
    } finally {
      ctx.inWindowedStage = false;
    }
  }

  function operatorStage(node: BridgeObject, input: CompiledTabular): CompiledTabular {
    const k = kind(node);
    const out = columnsOfType(node.ResultType);
    const label = textOf(ctx, node).split('\n')[0]!.slice(0, 60);
    const windowFn = WINDOWED_STAGES.has(k) ? windowFunctionIn(node) : null;
    if (windowFn) return windowed(node, label, input, out, windowFn);
    switch (k) {
      case 'FilterOperator': {
        const step = compileWhere(node, input.columns, scalars);
        const plain = streamed(node, label, input, input.columns, step, input.transient);
        return input.baseTable ? indexedFilter(node, input, step, plain) : plain;
      }
      case 'ExtendOperator': return streamed(node, label, input, out, compileExtend(ctx, node, input.columns, out, scalars, input.transient), true);
      case 'ProjectOperator': return streamed(node, label, input, out, compileProject(ctx, node, input.columns, out, scalars), true);
      case 'ProjectAwayOperator': case 'ProjectRenameOperator': case 'ProjectReorderOperator': case 'ProjectKeepOperator':
        return streamed(node, label, input, out, compileReshape(ctx, node, input.columns, out), true);
      case 'DistinctOperator': {
        // `distinct *` passes its input rows on as they are (table rows, or an earlier stage's scratch rows), so its
        // rows are only as transient as its input's: a later extend must not grow table rows in place.
        const star = listItems(node.Expressions).every((e: BridgeObject) => kind(e) === 'StarExpression');
        return streamed(node, label, input, out, compileDistinct(ctx, node, input.columns, out, scalars), star ? input.transient : true);
      }
      case 'SummarizeOperator': {
        const summarize = compileSummarize(ctx, node, input.columns, out, scalars, input.transient);
        return tabularOf(out, false, (rt, emit) => {
          const run = summarize(rt);
          let rowsIn = 0;
          input.source(rt, rt.trace ? (row) => { rowsIn++; run.add(row); } : (row) => { run.add(row); });
          const rows = run.finish();
          rt.trace?.push({ ...newTrace(node, label, out), rowsIn, rowsOut: rows.length, sample: rows.slice(0, 3).map((r) => r.slice()) });
          pushAll(rows, emit);
        });
      }
      case 'CountOperator':
        return tabularOf(out, false, (rt, emit) => {
          let n = 0;
          input.source(rt, () => { n++; });
          rt.trace?.push({ ...newTrace(node, label, out), rowsIn: n, rowsOut: 1, sample: [[n]] });
          emit([n]);
        });
      case 'SortOperator': return blocking(node, label, input, input.columns, compileSort(ctx, node, input.columns, scalars));
      case 'TopOperator': return blocking(node, label, input, input.columns, compileTop(ctx, node, input.columns, scalars));
      case 'TakeOperator': return streamed(node, label, input, input.columns, compileTake(node, scalars), input.transient);
      case 'MvExpandOperator': return streamed(node, label, input, out, compileMvExpand(ctx, node, input.columns, out, scalars), false);
      case 'RenderOperator': return input;
      // `T | as Name`: later stages of the query may read Name; its rows are computed once per run.
      case 'AsOperator': {
        const plan: TabularPlan = (rt) => {
          if (!rt.memo.has(node)) rt.memo.set(node, input.plan(rt));
          return rt.memo.get(node) as Table;
        };
        ctx.env.set(String(node.Name.SimpleName), { kind: 'tabular', plan, columns: input.columns });
        return fromPlan(input.columns, plan);
      }
      case 'GetSchemaOperator':
        return fromPlan(out, () => ({ columns: out, rows: input.columns.map((c, i) => [c.name, i, DOTNET_TYPES[c.type], c.type]) }));
      // `serialize x = expr` adds columns like extend; plain `serialize` only marks the row set as ordered.
      case 'SerializeOperator': return listItems(node.Expressions).length ? streamed(node, label, input, out, compileExtend(ctx, node, input.columns, out, scalars, input.transient), true) : input;
      case 'LookupOperator': {
        // Joined rows are left ++ right; the bound type drops the right-hand key columns, so output columns are
        // picked by name (left first). A right column renamed by the binder (a clash) has no source: refused.
        const right = tabular(node.Expression);
        const join = compileJoin(ctx, node, input.columns, right.columns, [...input.columns, ...right.columns], scalars, true);
        const sources = out.map((c) => {
          const l = input.columns.findIndex((x) => x.name === c.name);
          const r = right.columns.findIndex((x) => x.name === c.name);
          if (l < 0 && r < 0) unsupported(ctx, node, `lookup output column ${c.name}`);
          return l >= 0 ? l : input.columns.length + r;
        });
        return blocking(node, label, input, out, (rows, rt) => join(rows, right.plan(rt).rows, rt).map((row) => sources.map((i) => row[i])));
      }
      case 'JoinOperator': {
        const right = tabular(node.Expression);
        const join = compileJoin(ctx, node, input.columns, right.columns, out, scalars);
        return blocking(node, label, input, out, (rows, rt) => join(rows, right.plan(rt).rows, rt));
      }
      case 'ParseOperator': return streamed(node, label, input, out, compileParse(ctx, node, input.columns, out, scalars), false);
      case 'InvokeOperator': {
        const fn = ctx.env.get(String(node.Function?.Name?.SimpleName ?? ''));
        if (fn?.kind === 'function') return userTabularCall(node.Function, fn, input);
        return streamed(node, label, input, out, compileInvoke(ctx, node, input.columns, out), false);
      }
      case 'UnionOperator': {
        const legs = presentLegs(node);
        // The piped input is the first leg; its expression names it (a table, or `… | as T1`).
        const inputExpression = kind(node.Parent) === 'PipeExpression' ? node.Parent.Expression : null;
        return union(node, out, [input, ...legs.map((e: BridgeObject) => tabular(e))], [inputExpression, ...legs]);
      }
      default:
        return unsupported(ctx, node);
    }
  }

  /**
   * union: output columns come from the bound type. A column whose name and type differ between legs is split
   * by the binder into name_type columns (x_long, x_int), so each leg maps to `name` or `name_type`.
   * withsource=C adds C holding the leg's name (a table or let name; union_argN otherwise).
   */
  /**
   * The legs of a union; with isfuzzy=true, without those that read a table or view that does not exist (the binder
   * resolves its name to nothing), which Kusto skips. A table that exists but has no test rows is still an error.
   */
  function presentLegs(node: BridgeObject): BridgeObject[] {
    const legs = listItems(node.Expressions);
    const fuzzy = listItems(node.Parameters).some((p: BridgeObject) => String(p.Name?.SimpleName ?? '').toLowerCase() === 'isfuzzy' && textOf(ctx, p.Expression).trim().toLowerCase() === 'true');
    if (!fuzzy) return legs;
    const missing = (leg: BridgeObject): boolean => {
      let n = leg;
      while (kind(n) === 'PipeExpression' || kind(n) === 'ParenthesizedExpression') n = n.Expression;
      return kind(n) === 'NameReference' && !n.ReferencedSymbol && !ctx.env.get(String(n.SimpleName));
    };
    const present = legs.filter((leg) => !missing(leg));
    // Every leg missing: compile them anyway, so the query fails naming what could not be resolved.
    return present.length > 0 ? present : legs;
  }

  function union(node: BridgeObject, out: Column[], parts: CompiledTabular[], legs: (BridgeObject | null)[]): CompiledTabular {
    let sourceColumn: string | null = null;
    for (const p of listItems(node.Parameters)) {
      const name = String(p.Name?.SimpleName ?? '').toLowerCase();
      if (name === 'withsource') sourceColumn = textOf(ctx, p.Expression).trim();
      // kind=inner keeps only the columns common to every leg (docs), but Kusto.Language's result type keeps all of
      // them, so the engine cannot agree with both: refused.
      else if (name === 'kind' && textOf(ctx, p.Expression).trim().toLowerCase() !== 'outer') unsupported(ctx, p, `union ${textOf(ctx, p)} (the binder's result keeps every column, the docs only the common ones)`);
      else if (name !== 'isfuzzy' && name !== 'kind') unsupported(ctx, p, `union parameter ${textOf(ctx, p)}`);
    }
    // withsource= values: a table's or function's name, the name an `as` gave the leg, else union_argN.
    const labels = legs.map((leg, i) => {
      let n = leg;
      while (n && kind(n) === 'ParenthesizedExpression') n = n.Expression;
      const k = n ? kind(n) : '';
      if (k === 'NameReference' || k === 'FunctionCallExpression') return String(n.Name.SimpleName);
      if (k === 'PipeExpression' && kind(n.Operator) === 'AsOperator') return String(n.Operator.Name.SimpleName);
      return `union_arg${i}`;
    });
    // Each output column lists the leg columns it was made from (the binder renames clashes: x:long and x:int
    // become x_long and x_int, and a leg's own x_long then becomes x_long1); a column with no list keeps its name.
    const origins = out.map((_, i) => {
      const originals = node.ResultType?.Columns?.getItem(i)?.OriginalColumns;
      const list: string[] = [];
      for (let j = 0; j < (originals?.Count ?? 0); j++) list.push(`${String(originals.getItem(j).Name)}:${typeName(originals.getItem(j).Type)}`);
      return list;
    });
    // The binder puts the withsource column first; a leg's own column of the same name still follows it.
    const sourceIndex = out.findIndex((c) => c.name === sourceColumn);
    const maps = parts.map((p) => out.map((c, i) => {
      if (i === sourceIndex) return -2;
      const from = origins[i]!;
      return from.length ? p.columns.findIndex((x) => from.includes(`${x.name}:${x.type}`)) : p.columns.findIndex((x) => x.name === c.name);
    }));
    const empty = out.map((c) => (c.type === 'string' ? '' : null));
    return tabularOf(out, false, (rt, emit) => {
      for (let i = 0; i < parts.length; i++) {
        const map = maps[i]!;
        let stopped = false;
        parts[i]!.source(rt, (row) => {
          stopped = emit(map.map((j, c) => (j === -2 ? labels[i] : j < 0 ? empty[c] : row[j]))) === false;
          return !stopped;
        });
        if (stopped) return;
      }
    });
  }

  function tableReference(node: BridgeObject, name: string, what = `table ${name}`): CompiledTabular {
    const columns = columnsOfType(node.ResultType);
    const mapping = new WeakMap<Table, number[] | null>();
    const { line, column } = positionOf(ctx, node);
    const empty = columns.map((c) => (c.type === 'string' ? '' : null));
    const read = tabularOf(columns, false, (rt, emit) => {
      const table = rt.tables[name];
      if (!table) throw new MissingInputError(`the query reads ${what}, but the test provides no rows for it (add tables: {${name}: [...]})`, { kind: what.startsWith('watchlist') ? 'watchlist' : 'table', name }, line, column);
      let map = mapping.get(table);
      if (map === undefined) {
        const m = columns.map((c) => table.columns.findIndex((x) => x.name === c.name));
        // null: the table is already laid out as the bound schema, rows pass as they are.
        mapping.set(table, (map = m.length === table.columns.length && m.every((j, i) => j === i) ? null : m));
      }
      const entry = rt.trace ? newTrace(node, name, columns) : null;
      let pushed = 0;
      const target: Emit = entry ? (row) => { pushed++; if (entry.sample!.length < 3) entry.sample!.push(row.slice()); return emit(row); } : emit;
      const m = map;
      readRows(rt, table, m === null ? target : (row) => target(m.map((j, i) => (j < 0 ? empty[i] : row[j]))));
      if (entry) rt.trace!.push({ ...entry, rowsIn: pushed, rowsOut: pushed });
    });
    return { ...read, baseTable: name };
  }

  function dataTable(node: BridgeObject): CompiledTabular {
    const columns = columnsOfType(node.ResultType);
    const valueNodes = listItems(node.Values);
    const values = valueNodes.map((v: BridgeObject) => scalars.scalar(v, new RowScope([])));
    if (values.length % Math.max(1, columns.length) !== 0) unsupported(ctx, node, 'datatable with a partial row');
    const convert = (raw: Value, c: Column, at: number): Value => {
      try {
        return fromInput(raw, c.type);
      } catch (err) {
        const { line, column } = positionOf(ctx, valueNodes[at]!);
        throw new EngineError(`datatable column ${c.name}: ${(err as Error).message}`, line, column);
      }
    };
    return fromPlan(columns, (rt) => {
        const rows: Value[][] = [];
        for (let i = 0; i < values.length; i += columns.length) {
          rows.push(columns.map((c, j) => {
            const v = values[i + j]!;
            const raw = v.fn([], rt);
            return v.type === c.type || raw === null ? raw : convert(raw, c, i + j);
          }));
        }
        return { columns, rows };
    });
  }

  function externalData(node: BridgeObject): CompiledTabular {
    const columns = columnsOfType(node.ResultType);
    const urls = listItems(node.URIs).map((u: BridgeObject) => String(u.LiteralValue ?? textOf(ctx, u)));
    const { line, column } = positionOf(ctx, node);
    return fromPlan(columns, (rt) => {
        const rows: Value[][] = [];
        for (const url of urls) {
          const table = rt.externaldata[url];
          if (!table) throw new MissingInputError(`externaldata reads ${url}; the test must provide its rows (externaldata: {"${url}": [...]}) — nothing is fetched`, { kind: 'externaldata', name: url }, line, column);
          const map = columns.map((c) => table.columns.findIndex((x) => x.name === c.name));
          // A one-column text list may be supplied with any column name.
          const single = columns.length === 1 && table.columns.length === 1 && map[0] === -1;
          // A loop, not push(...rows): spreading one argument per row overflows the stack past ~120,000 rows.
          for (const row of table.rows) rows.push(single ? [row[0]] : map.map((j, i) => (j < 0 ? (columns[i]!.type === 'string' ? '' : null) : row[j])));
        }
        return { columns, rows };
    });
  }

  function print(node: BridgeObject): CompiledTabular {
    const columns = columnsOfType(node.ResultType);
    const exprs = listItems(node.Expressions).map((e: BridgeObject) => scalars.scalar(kind(e) === 'SimpleNamedExpression' ? e.Expression : e, new RowScope([])));
    return fromPlan(columns, (rt) => ({ columns, rows: [exprs.map((e) => e.fn([], rt))] }));
  }

  function range(node: BridgeObject): CompiledTabular {
    const columns = columnsOfType(node.ResultType);
    const scope = new RowScope([]);
    const [from, to, step] = [node.From, node.To, node.Step].map((n: BridgeObject) => scalars.scalar(n, scope));
    const { line, column } = positionOf(ctx, node);
    const rows = fromPlan(columns, (rt) => {
      const a = from!.fn([], rt) as number | null;
      const b = to!.fn([], rt) as number | null;
      const s = step!.fn([], rt) as number | null;
      const out: Value[][] = [];
      if (a === null || b === null || s === null) throw new EngineError('range with a null start, stop or step: the docs do not say what that gives', line, column);
      // Kusto's range has no documented row limit; the engine holds every row in memory, so it refuses rather
      // than stop early and return a silently shorter table.
      const count = s === 0 ? 0 : Math.floor((b - a) / s) + 1;
      if (count > RANGE_ROW_LIMIT) throw new EngineError(`range of ${count.toLocaleString('en-US')} rows: the local engine runs at most ${RANGE_ROW_LIMIT.toLocaleString('en-US')}`, line, column);
      if (s > 0) for (let v = a; v <= b; v += s) out.push([v]);
      else if (s < 0) for (let v = a; v >= b; v += s) out.push([v]);
      return { columns, rows: out };
    });
    // range's output is a serialized row set (serialize page), so window functions may follow it directly.
    return { ...rows, serialized: true };
  }

  /**
   * `L | join kind=innerunique R on … | where P`: Kusto pushes the conjuncts of P that read only left-side columns
   * below the join, before the left side is de-duplicated, and its docs promise the result that gives (a filter
   * on the second of two left rows with the same key keeps that row). Other conjuncts stay after the join.
   * Returns null when this is not such a pipe or nothing can be pushed.
   */
  function innerUniqueFilter(node: BridgeObject): CompiledTabular | null {
    const filter = node.Operator;
    const joinPipe = node.Expression;
    if (kind(filter) !== 'FilterOperator' || kind(joinPipe) !== 'PipeExpression' || kind(joinPipe.Operator) !== 'JoinOperator') return null;
    if (joinKind(ctx, joinPipe.Operator) !== 'innerunique') return null;
    const joined = columnsOfType(joinPipe.Operator.ResultType);
    const leftColumns = columnsOfType(joinPipe.Expression.ResultType);
    const leftOnly = (n: BridgeObject): boolean => {
      if (kind(n) === 'NameReference' && String(n.ReferencedSymbol?.constructor?.$$name ?? '').endsWith('ColumnSymbol')) {
        const i = joined.findIndex((c) => c.name === String(n.SimpleName));
        return i >= 0 && i < leftColumns.length && leftColumns[i]!.name === joined[i]!.name;
      }
      for (let i = 0; i < n.ChildCount; i++) if (n.GetChild(i) && !leftOnly(n.GetChild(i))) return false;
      return true;
    };
    const conjuncts: BridgeObject[] = [];
    const split = (n: BridgeObject): void => {
      if (kind(n) === 'AndExpression') { split(n.Left); split(n.Right); } else if (kind(n) === 'ParenthesizedExpression' && kind(n.Expression) === 'AndExpression') split(n.Expression);
      else conjuncts.push(n);
    };
    split(filter.Condition);
    const pushed = conjuncts.filter(leftOnly);
    if (pushed.length === 0) return null;
    const kept = conjuncts.filter((c) => !pushed.includes(c));
    const label = textOf(ctx, filter).split('\n')[0]!.slice(0, 60);
    const conjunctStep = (conds: BridgeObject[], columns: Column[]): RowStep => {
      const fns = conds.map((c) => scalars.scalar(c, new RowScope(columns)).fn);
      return (rt, emit) => (row) => {
        for (const f of fns) if (f(row, rt) !== true) return;
        return emit(row);
      };
    };
    const left = tabular(joinPipe.Expression);
    const filteredLeft = streamed(filter, `${label} (left side, before the join)`, left, left.columns, conjunctStep(pushed, left.columns), left.transient);
    const join = operator(joinPipe.Operator, filteredLeft);
    return kept.length === 0 ? join : streamed(filter, label, join, join.columns, conjunctStep(kept, join.columns), join.transient);
  }

  /** A let-declared function returning a table: its body is compiled with parameters bound to the arguments. */
  /**
   * A call of a let-declared tabular function, `f(args)` or `T | invoke f(args)` (T is then its first argument).
   * Kusto.Language binds the body once per call site with the actual argument tables (GetExpansion), so output
   * columns follow the table passed, not the parameter's declared minimum schema; that bound body is compiled,
   * with its own text for names and positions. Without an expansion the declaration's body is used.
   */
  function userTabularCall(node: BridgeObject, binding: { declaration: BridgeObject; env: import('./context.ts').Env }, piped?: CompiledTabular): CompiledTabular {
    const params = listItems(binding.declaration.Parameters.Parameters);
    const args = node.ArgumentList?.Expressions ? listItems(node.ArgumentList.Expressions) : [];
    const env = binding.env.child();
    params.forEach((p: BridgeObject, i: number) => {
      const pname = String(p.NameAndType.Name.SimpleName);
      if (piped && i === 0) return void env.set(pname, { kind: 'tabular', plan: piped.plan, columns: piped.columns });
      const arg = args[piped ? i - 1 : i] ?? p.DefaultValue?.Value;
      if (!arg) return;
      if (arg.ResultType?.Columns) {
        const t = tabular(arg);
        env.set(pname, { kind: 'tabular', plan: t.plan, columns: t.columns });
      } else env.set(pname, { kind: 'scalar', expr: scalars.scalar(arg, new RowScope([])) });
    });
    const expansion = typeof node.GetExpansion === 'function' ? node.GetExpansion() : null;
    const savedEnv = ctx.env;
    const savedSite = ctx.callSite;
    ctx.env = env;
    ctx.callSite ??= node;
    try {
      return block(expansion ?? binding.declaration.Body);
    } finally {
      ctx.env = savedEnv;
      ctx.callSite = savedSite;
    }
  }

  function tabular(node: BridgeObject): CompiledTabular {
    // A subquery inside a windowed stage's expression is not itself windowed.
    const saved = ctx.inWindowedStage;
    ctx.inWindowedStage = false;
    try {
      return tabularExpression(node);
    } finally {
      ctx.inWindowedStage = saved;
    }
  }

  function tabularExpression(node: BridgeObject): CompiledTabular {
    const k = kind(node);
    switch (k) {
      case 'PipeExpression': return innerUniqueFilter(node) ?? operator(node.Operator, tabular(node.Expression));
      case 'ParenthesizedExpression': return tabular(node.Expression);
      case 'MaterializeExpression': return tabular(node.Expression);
      case 'DataTableExpression': return dataTable(node);
      case 'ExternalDataExpression': return externalData(node);
      case 'PrintOperator': return print(node);
      case 'RangeOperator': return range(node);
      case 'UnionOperator': {
        const legs = presentLegs(node);
        return union(node, columnsOfType(node.ResultType), legs.map((e: BridgeObject) => tabular(e)), legs);
      }
      case 'FunctionBody': return block(node);
      case 'FunctionCallExpression': {
        const name = String(node.Name?.SimpleName ?? textOf(ctx, node.Name));
        const binding = ctx.env.get(name);
        if (binding?.kind === 'function') return userTabularCall(node, binding);
        if (name === 'materialize') return tabular(listItems(node.ArgumentList.Expressions)[0]);
        if (name === 'table') return tableReference(node, String(listItems(node.ArgumentList.Expressions)[0]?.LiteralValue));
        if (name === WATCHLIST_FUNCTION) {
          const alias = watchlistAlias(node);
          if (alias === null) return unsupported(ctx, node, `${WATCHLIST_FUNCTION}() with a computed alias (write the alias as a string literal)`);
          // Without a table of that name the binder leaves the columns open; nothing could be read from them.
          if (columnsOfType(node.ResultType).length === 0) {
            const { line, column } = positionOf(ctx, node);
            throw new MissingInputError(`the query reads watchlist '${alias}', but the test provides no rows for it (add tables: {${alias}: [...]}, with SearchKey and the watchlist's columns)`, { kind: 'watchlist', name: alias }, line, column);
          }
          return tableReference(node, alias, `watchlist '${alias}'`);
        }
        return unsupported(ctx, node, `tabular function ${name}()`);
      }
      case 'NameReference': {
        const name = textOf(ctx, node).trim().replace(/^\['|'\]$|^\["|"\]$/g, '');
        const binding = ctx.env.get(name);
        if (binding?.kind === 'tabular') {
          const { plan, columns } = binding;
          return fromPlan(columns, (rt) => { if (!rt.memo.has(plan)) rt.memo.set(plan, plan(rt)); return rt.memo.get(plan) as Table; });
        }
        if (binding?.kind === 'function') return userTabularCall(node, binding);
        return tableReference(node, name);
      }
      default:
        return unsupported(ctx, node);
    }
  }

  /** A query block or function body: let statements, then the last expression. */
  function block(node: BridgeObject): CompiledTabular {
    const statements = kind(node) === 'QueryBlock' ? listItems(node.Statements) : listItems(node.Statements);
    let result: CompiledTabular | undefined;
    for (const statement of statements) {
      const sk = kind(statement);
      if (sk === 'LetStatement') letStatement(statement);
      else if (sk === 'ExpressionStatement') result = tabular(statement.Expression);
      else unsupported(ctx, statement);
    }
    if (kind(node) === 'FunctionBody' && node.Expression) result = tabular(node.Expression);
    if (!result) return unsupported(ctx, node, 'a query without a tabular expression');
    return result;
  }

  function letStatement(node: BridgeObject): void {
    const name = String(node.Name.SimpleName);
    const expr = node.Expression;
    if (kind(expr) === 'FunctionDeclaration') {
      ctx.env.set(name, { kind: 'function', declaration: expr, env: ctx.env });
      return;
    }
    if (expr.ResultType?.Columns) {
      const t = tabular(expr);
      ctx.env.set(name, { kind: 'tabular', plan: t.plan, columns: t.columns });
    } else {
      ctx.env.set(name, { kind: 'scalar', expr: scalars.scalar(expr, new RowScope([])) });
    }
  }

  return { block, tabular };
}

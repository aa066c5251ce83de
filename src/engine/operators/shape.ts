/** Operators that filter rows or reshape columns: where, extend, project*, distinct, mv-expand. */
import type { BridgeObject } from '../../kql/kusto-language.ts';
import { kustoLanguage } from '../../kql/kusto-language.ts';
import { kind, listItems, textOf, unsupported, type CompileContext, type CompiledScalar, type Emit, type RowStep, type Runtime, RowScope } from '../compiler/context.ts';
import type { ScalarCompiler } from '../compiler/scalar.ts';
import { columnsReadAfter } from '../compiler/column-liveness.ts';
import { cast } from '../functions/logic.ts';
import { keyOf, toInteger, type Column, type Value } from '../values/types.ts';
import { parseDateTime, parseTimespan } from '../values/time.ts';

/** A blocking stage: all input rows in, all output rows out (sort, top, summarize, join). */
export type RowsFn = (rows: Value[][], rt: Runtime) => Value[][];

const declaredName = (ctx: CompileContext, n: BridgeObject) => String(n.Name?.SimpleName ?? textOf(ctx, n.Name)).trim().replace(/^\['|'\]$|^\["|"\]$/g, '');

export function compileWhere(node: BridgeObject, input: Column[], scalars: ScalarCompiler): RowStep {
  const cond = scalars.scalar(node.Condition, new RowScope(input)).fn;
  return (rt, emit) => (row) => (cond(row, rt) === true ? emit(row) : undefined);
}

/** Computes each output column either by copying an input column or from an expression, into one scratch row per run. */
function columnStep(out: Column[], sources: ({ copy: number } | { expr: CompiledScalar })[]): RowStep {
  const fns = sources.map((s, i) => ('copy' in s ? (row: Value[]) => row[s.copy] : (row: Value[], rt: Runtime) => cast(s.expr.fn(row, rt), s.expr.type, out[i]!.type)));
  const width = fns.length;
  return (rt, emit) => {
    const scratch: Value[] = [];
    return (row) => {
      for (let i = 0; i < width; i++) scratch[i] = fns[i]!(row, rt);
      return emit(scratch);
    };
  };
}

/**
 * Extend writes its columns into a scratch row reused for every input row. Every item is evaluated on the input
 * row, as Kusto.Language binds it: an item cannot see a column an earlier item of the same extend defines (KS142),
 * and after `extend n = n * 2, m = n + 1` m reads the input's n. When the input rows are themselves scratch rows of
 * an earlier stage (`transientInput`: an extend or project that rewrites all its slots for each row), they are
 * grown in place (values computed first when an item overwrites a column another item reads). Otherwise (table
 * rows, let results) the input row is never written: the scratch gets a copy of the columns read later
 * (column-liveness.ts; every column when that is unknown or the run is traced). Reading the input row itself also
 * lets todynamic() of a table row use the table's parsed JSON column (values/json-columns.ts).
 */
export function compileExtend(ctx: CompileContext, node: BridgeObject, input: Column[], out: Column[], scalars: ScalarCompiler, transientInput: boolean): RowStep {
  const scope = new RowScope(input);
  const steps: { target: number; expr: CompiledScalar }[] = [];
  let columns = [...input];
  const fresh = () => out.find((c) => !columns.some((x) => x.name === c.name))!;
  for (const item of listItems(node.Expressions)) {
    const isNamed = kind(item) === 'SimpleNamedExpression';
    const name = isNamed ? declaredName(ctx, item) : fresh()?.name;
    if (!name) unsupported(ctx, item, 'extend column naming');
    const expr = scalars.scalar(isNamed ? item.Expression : item, scope);
    let target = columns.findIndex((c) => c.name === name);
    const type = out.find((c) => c.name === name)?.type ?? expr.type;
    if (target < 0) {
      columns = [...columns, { name, type }];
      target = columns.length - 1;
    } else columns[target] = { name, type };
    // Cast only when the bound column type differs from the expression's (skips a closure per value otherwise).
    steps.push({ target, expr: expr.type === type ? expr : { ...expr, fn: ((e) => (row: Value[], rt: Runtime) => cast(e.fn(row, rt), e.type, type))(expr) } });
  }
  if (columns.length !== out.length || columns.some((c, i) => c.name !== out[i]!.name)) unsupported(ctx, node, 'extend output shape');
  const fns = steps.map((s) => s.expr.fn);
  const targets = steps.map((s) => s.target);
  const width = input.length;
  // New columns are appended in order, so push keeps the row a packed array (faster than presizing with holes).
  const write = (next: Value[], i: number, v: Value) => {
    if (targets[i] === next.length) next.push(v);
    else next[targets[i]!] = v;
  };
  if (transientInput) {
    const overwrites = fns.length > 1 && targets.some((t) => t < width);
    if (!overwrites) return (rt, emit) => (row) => { for (let i = 0; i < fns.length; i++) write(row, i, fns[i]!(row, rt)); return emit(row); };
    return (rt, emit) => {
      const values: Value[] = new Array(fns.length);
      return (row) => {
        for (let i = 0; i < fns.length; i++) values[i] = fns[i]!(row, rt);
        for (let i = 0; i < fns.length; i++) write(row, i, values[i]);
        return emit(row);
      };
    };
  }
  const readLater = columnsReadAfter(node);
  const live = readLater ? input.flatMap((c, i) => (readLater.has(c.name) ? [i] : [])) : null;
  return (rt, emit) => {
    const scratch: Value[] = new Array(width).fill(null);
    const copyAll = live === null || rt.trace;
    const n = live?.length ?? 0;
    return (row) => {
      if (copyAll) for (let j = 0; j < width; j++) scratch[j] = row[j];
      else for (let j = 0; j < n; j++) scratch[live![j]!] = row[live![j]!];
      for (let i = 0; i < fns.length; i++) write(scratch, i, fns[i]!(row, rt));
      return emit(scratch);
    };
  };
}

export function compileProject(ctx: CompileContext, node: BridgeObject, input: Column[], out: Column[], scalars: ScalarCompiler): RowStep {
  const scope = new RowScope(input);
  const items = listItems(node.Expressions);
  if (items.length !== out.length) unsupported(ctx, node, 'project with wildcards');
  const sources = items.map((item: BridgeObject) => {
    const isNamed = kind(item) === 'SimpleNamedExpression';
    const e = isNamed ? item.Expression : item;
    if (kind(e) === 'NameReference' && scope.index.has(textOf(ctx, e).trim())) return { copy: scope.index.get(textOf(ctx, e).trim())! };
    return { expr: scalars.scalar(e, scope) };
  });
  return columnStep(out, sources);
}

/** project-away, project-rename, project-reorder: output columns are input columns, found by name or position. */
export function compileReshape(ctx: CompileContext, node: BridgeObject, input: Column[], out: Column[]): RowStep {
  const k = kind(node);
  let sources: { copy: number }[];
  if (k === 'ProjectRenameOperator') {
    const renames = new Map<string, string>();
    for (const item of listItems(node.Expressions)) renames.set(declaredName(ctx, item), textOf(ctx, item.Expression).trim());
    sources = out.map((c) => ({ copy: input.findIndex((i) => i.name === (renames.get(c.name) ?? c.name)) }));
  } else {
    sources = out.map((c) => ({ copy: input.findIndex((i) => i.name === c.name) }));
  }
  if (sources.some((s) => s.copy < 0)) unsupported(ctx, node);
  return columnStep(out, sources);
}

export function compileDistinct(ctx: CompileContext, node: BridgeObject, input: Column[], out: Column[], scalars: ScalarCompiler): RowStep {
  const items = listItems(node.Expressions);
  const project: RowStep | null = items.length === 1 && kind(items[0]) === 'StarExpression' ? null : compileProject(ctx, node, input, out, scalars);
  return (rt, emit) => {
    const seen = new Set<string>();
    const unique: Emit = (row) => {
      let k = keyOf(row[0]);
      for (let i = 1; i < row.length; i++) k += '\u0002' + keyOf(row[i]);
      if (seen.has(k)) return;
      seen.add(k);
      return emit(row);
    };
    return project ? project(rt, unique) : unique;
  };
}

/**
 * mv-expand: each listed column's array (or bag, as one-property bags; with bagexpansion=array / kind=array as
 * [key, value] arrays) is expanded; several columns are zipped, shorter ones padded with null; with_itemindex=I
 * adds the element index; `limit N` caps the rows made from one input row. Output layout comes from the bound
 * type: every output column is an input column, an expanded column or the index column.
 */
export function compileMvExpand(ctx: CompileContext, node: BridgeObject, input: Column[], out: Column[], scalars: ScalarCompiler): RowStep {
  const scope = new RowScope(input);
  let indexColumn: string | null = null;
  let bagsAsArrays = false;
  for (const p of listItems(node.Parameters)) {
    const pname = String(p.Name?.SimpleName ?? '').toLowerCase();
    const value = textOf(ctx, p.Expression).trim();
    if (pname === 'with_itemindex') indexColumn = value;
    else if ((pname === 'bagexpansion' || pname === 'kind') && (value === 'array' || value === 'bag')) bagsAsArrays = value === 'array';
    else unsupported(ctx, p, `mv-expand parameter ${textOf(ctx, p)}`);
  }
  const limit = node.RowLimitClause ? scalars.scalar(node.RowLimitClause.RowLimit, new RowScope([])) : null;
  const expanded = listItems(node.Expressions).map((item: BridgeObject) => {
    const inner = item.Expression;
    const isNamed = kind(inner) === 'SimpleNamedExpression';
    // An unnamed item is named as Kusto.Language names it: `todynamic(s)` expands into column s (replacing it).
    const name = isNamed ? declaredName(ctx, inner) : String(kustoLanguage().Binding.Binder.GetExpressionResultName(inner, '') ?? '');
    if (!name) unsupported(ctx, inner, `mv-expand of ${textOf(ctx, inner).trim()} without a name (write Name = …)`);
    return { expr: scalars.scalar(isNamed ? inner.Expression : inner, scope), name };
  });
  // Source of each output column: input column j (>= 0), expanded item -(k + 2), or the item index (-1).
  const sources = out.map((c) => {
    const k = expanded.findIndex((e) => e.name === c.name);
    if (k >= 0) return -(k + 2);
    if (c.name === indexColumn) return -1;
    const j = input.findIndex((x) => x.name === c.name);
    if (j < 0) unsupported(ctx, node, `mv-expand output column ${c.name}`);
    return j;
  });
  const elementsOf = (v: unknown): unknown[] => (Array.isArray(v) ? v : v && typeof v === 'object' ? Object.entries(v).map(([k, x]) => (bagsAsArrays ? [k, x] : { [k]: x })) : [v]);
  return (rt, emit) => {
    const max = limit ? (limit.fn([], rt) as number | null) ?? Infinity : Infinity;
    return (row) => {
      const lists = expanded.map((e) => elementsOf(e.expr.fn(row, rt)));
      const length = Math.min(max, Math.max(...lists.map((l) => l.length)));
      for (let i = 0; i < length; i++) {
        const next = sources.map((src, c) => {
          if (src >= 0) return row[src];
          if (src === -1) return i;
          const element = lists[-src - 2]![i] ?? null;
          const type = out[c]!.type;
          return type === 'dynamic' ? element : conformTo(element, type);
        });
        if (emit(next) === false) return false;
      }
    };
  };
}

/**
 * `mv-expand … to typeof(T)`: "cast-only and doesn't include parsing or type-conversion. Array elements that
 * don't conform with the declared type become null values" (mv-expand page). An int or long takes a whole number
 * in its range only (2.5 is null, not 2: truncating would be a type-conversion; 3000000000 is no int; the page's
 * own example expands [6, 7, 8, 9] to typeof(int)). A real or decimal takes any number: the page says nothing of
 * whole numbers, and JSON numbers here carry no long/real distinction (so 1.0 in the source text is a whole number
 * too). Datetimes and timespans are the strings a dynamic holds them as; anything else of the wrong kind is null.
 */
function conformTo(element: unknown, type: Column['type']): Value {
  if (element === null) return type === 'string' ? '' : null;
  switch (type) {
    case 'long': case 'int': return typeof element === 'number' && Number.isInteger(element) ? toInteger(element, type) : null;
    case 'real': case 'decimal': return typeof element === 'number' ? element : null;
    case 'bool': return typeof element === 'boolean' ? element : null;
    case 'string': return typeof element === 'string' ? element : '';
    case 'datetime': return typeof element === 'string' ? parseDateTime(element) : null;
    case 'timespan': return typeof element === 'string' ? parseTimespan(element) : null;
    case 'guid': return typeof element === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(element) ? element.toLowerCase() : null;
    default: return element as Value;
  }
}
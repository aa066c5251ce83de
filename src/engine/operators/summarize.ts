/**
 * summarize: group rows by the `by` expressions and fold each group with the aggregates. Output columns
 * (names and order, including Kusto's defaults such as count_ and the expansion of arg_max(x, *)) are read
 * from the bound tree, so they always match what the validator saw.
 */
import { kustoLanguage, type BridgeObject } from '../../kql/kusto-language.ts';
import { kind, listItems, positionOf, textOf, typeName, unsupported, type CompileContext, type CompiledScalar, type Runtime, RowScope } from '../compiler/context.ts';
import { cast } from '../functions/logic.ts';
import { EngineError } from '../errors.ts';
import type { ScalarCompiler } from '../compiler/scalar.ts';
import { compareValues, keyOf, toDynamic, type Column, type Value } from '../values/types.ts';

interface Aggregator {
  /** Number of output columns this aggregate produces. */
  width: number;
  init(): unknown;
  add(state: unknown, row: Value[], rt: Runtime): unknown;
  result(state: unknown, rt: Runtime): Value[];
}

/** One run of a summarize: rows are added as they stream in, groups come out at the end. */
export interface SummarizeRun {
  add(row: Value[]): void;
  finish(): Value[][];
}

export function compileSummarize(ctx: CompileContext, node: BridgeObject, input: Column[], outColumns: Column[], scalars: ScalarCompiler, transientInput: boolean): (rt: Runtime) => SummarizeRun {
  const scope = new RowScope(input);
  const byNodes = node.ByClause ? listItems(node.ByClause.Expressions) : [];
  const byExprs = byNodes.map((b: BridgeObject) => scalars.scalar(kind(b) === 'SimpleNamedExpression' ? b.Expression : b, scope));
  // Columns the keys name, which arg_max(…, *) leaves out: `by s`, and for `by x = s` both x and s (as the binder does).
  const byNames = byNodes.flatMap((b: BridgeObject) => {
    if (kind(b) === 'NameReference') return [textOf(ctx, b).trim()];
    if (kind(b) !== 'SimpleNamedExpression') return [];
    return [String(b.Name.SimpleName), ...(kind(b.Expression) === 'NameReference' ? [textOf(ctx, b.Expression).trim()] : [])];
  });
  // `Name = agg(…)` and `(A, B) = arg_max(…)`: the names are in the bound output columns; the expression is what runs.
  const named = (a: BridgeObject) => kind(a) === 'SimpleNamedExpression' || kind(a) === 'CompoundNamedExpression';
  const aggregators = listItems(node.Aggregates).map((a: BridgeObject) => aggregator(ctx, named(a) ? a.Expression : a, scope, input, scalars, byNames, transientInput));
  const expectedWidth = byExprs.length + aggregators.reduce((n, a) => n + a.width, 0);
  if (expectedWidth !== outColumns.length) unsupported(ctx, node, `summarize shape (${expectedWidth} computed vs ${outColumns.length} columns)`);
  const byFns = byExprs.map((e) => e.fn);
  const keyCount = byFns.length;
  // Keys of static non-dynamic types are their own Map keys (values of one type cannot collide), one Map level per
  // key; otherwise the keys are joined into one string. Groups come out in order of first appearance.
  const typedKeys = keyCount > 0 && byExprs.every((e) => e.type !== 'dynamic');
  const stringColumns = outColumns.flatMap((c, i) => (c.type === 'string' ? [i] : []));
  const aggs = aggregators.length;
  type Group = { keys: Value[]; states: unknown[] };
  return (rt) => {
    const ordered: Group[] = [];
    const root = new Map<unknown, unknown>();
    const values: Value[] = new Array(keyCount);
    const group = (level: Map<unknown, unknown>, key: unknown): Group => {
      let g = level.get(key) as Group | undefined;
      if (!g) {
        const states: unknown[] = new Array(aggs);
        for (let i = 0; i < aggs; i++) states[i] = aggregators[i]!.init();
        g = { keys: values.slice(), states };
        level.set(key, g);
        ordered.push(g);
      }
      return g;
    };
    return {
      add(row) {
        for (let i = 0; i < keyCount; i++) values[i] = byFns[i]!(row, rt) ?? null;
        let g: Group;
        if (typedKeys) {
          let level = root;
          for (let i = 0; i < keyCount - 1; i++) {
            let next = level.get(values[i]) as Map<unknown, unknown> | undefined;
            if (!next) level.set(values[i], (next = new Map()));
            level = next;
          }
          g = group(level, values[keyCount - 1]);
        } else {
          let k = '';
          for (let i = 0; i < keyCount; i++) k += (i ? '\u0002' : '') + keyOf(values[i]);
          g = group(root, k);
        }
        const states = g.states;
        for (let i = 0; i < aggs; i++) states[i] = aggregators[i]!.add(states[i], row, rt);
      },
      finish() {
        // Without `by`, summarize yields one row even for empty input (count() = 0).
        if (keyCount === 0 && ordered.length === 0) ordered.push({ keys: [], states: aggregators.map((a) => a.init()) });
        const rows: Value[][] = new Array(ordered.length);
        for (let r = 0; r < ordered.length; r++) {
          const g = ordered[r]!;
          const row = g.keys;
          for (let i = 0; i < aggs; i++) for (const v of aggregators[i]!.result(g.states[i], rt)) row.push(v);
          // An aggregate with nothing to report (arg_max of no row, min of nulls) gives null; Kusto strings are never null.
          for (const c of stringColumns) if (row[c] === null || row[c] === undefined) row[c] = '';
          rows[r] = row;
        }
        return rows;
      },
    };
  };
}

/** Deprecated spellings the docs still list and older rules use. */
const DEPRECATED_ALIASES: Record<string, string> = { makeset: 'make_set', makelist: 'make_list' };

/** Kusto's aggregate function names, from Kusto.Language (a call to any other function in a summarize is a scalar). */
let aggregateNames: Set<string> | undefined;
function isKustoAggregate(name: string): boolean {
  if (!aggregateNames) {
    const all = kustoLanguage().Aggregates.All as ArrayLike<BridgeObject>;
    aggregateNames = new Set(Array.from(all, (symbol) => String(symbol.Name).toLowerCase()));
  }
  return aggregateNames.has(name);
}

const aggregateName = (ctx: CompileContext, call: BridgeObject) => {
  const written = String(call.Name?.SimpleName ?? textOf(ctx, call.Name)).toLowerCase();
  return DEPRECATED_ALIASES[written] ?? written;
};

const isAggregateCall = (ctx: CompileContext, node: BridgeObject) => kind(node) === 'FunctionCallExpression' && isKustoAggregate(aggregateName(ctx, node)) && !ctx.env.get(String(node.Name?.SimpleName));

function aggregator(ctx: CompileContext, call: BridgeObject, scope: RowScope, input: Column[], scalars: ScalarCompiler, byNames: string[], transientInput: boolean): Aggregator {
  if (kind(call) === 'ParenthesizedExpression') return aggregator(ctx, call.Expression, scope, input, scalars, byNames, transientInput);
  if (!isAggregateCall(ctx, call)) return scalarOverAggregates(ctx, call, scope, input, scalars, byNames, transientInput);
  const name = aggregateName(ctx, call);
  const argNodes = listItems(call.ArgumentList.Expressions);
  const args = (): CompiledScalar[] => argNodes.map((a: BridgeObject) => scalars.scalar(a, scope));
  // Sums of decimals held as doubles are not Kusto's exact 128-bit decimal sums (0.1 + 0.2 + 0.3 is not 0.6).
  if (/^(sum|avg|stdev|variance)/.test(name) && argNodes.some((a: BridgeObject) => String(a.ResultType?.Name) === 'decimal')) unsupported(ctx, call, `${name}() of decimals: decimals are not exact in the local engine`);
  const simple = (init: () => unknown, add: (s: unknown, v: Value) => unknown, result: (s: unknown) => Value, arg?: CompiledScalar): Aggregator => ({
    width: 1, init, result: (s) => [result(s)],
    add: arg ? (s, row, rt) => add(s, arg.fn(row, rt)) : (s) => add(s, null),
  });
  switch (name) {
    case 'count': return simple(() => 0, (s) => (s as number) + 1, (s) => s);
    case 'countif': {
      const [p] = args();
      return simple(() => 0, (s, v) => (v === true ? (s as number) + 1 : s), (s) => s, p);
    }
    case 'dcount': {
      const [a] = args();
      // Values of one static non-dynamic type are their own set members; dynamic values need a structural key.
      const member = a!.type === 'dynamic' ? keyOf : (v: Value) => v;
      return simple(() => new Set<unknown>(), (s, v) => (v === null || v === undefined ? s : (s as Set<unknown>).add(member(v))), (s) => (s as Set<unknown>).size, a);
    }
    case 'dcountif': {
      const [a, p] = args();
      return { width: 1, init: () => new Set<string>(), add: (s, row, rt) => { if (p!.fn(row, rt) === true) { const v = a!.fn(row, rt); if (v !== null) (s as Set<string>).add(keyOf(v)); } return s; }, result: (s) => [(s as Set<string>).size] };
    }
    case 'sum': case 'sumif': {
      const [a, p] = args();
      return { width: 1, init: () => null, add: (s, row, rt) => { if (p && p.fn(row, rt) !== true) return s; const v = a!.fn(row, rt) as number | null; return v === null ? s : ((s as number | null) ?? 0) + v; }, result: (s) => [s ?? 0] };
    }
    case 'avg': case 'avgif': {
      const [a, p] = args();
      if (a!.type === 'datetime' || a!.type === 'timespan') {
        // Ticks summed as BigInt (a few hundred datetimes already pass 2^53 as a double sum), the mean rounded to a
        // whole tick: a datetime or timespan holds no fraction of one (see wholeTicks in compiler/scalar.ts).
        return {
          width: 1,
          init: () => ({ total: 0n, n: 0 }),
          add: (s, row, rt) => {
            if (p && p.fn(row, rt) !== true) return s;
            const v = a!.fn(row, rt) as number | null;
            if (v === null) return s;
            const st = s as { total: bigint; n: number };
            st.total += BigInt(Math.round(v));
            st.n++;
            return st;
          },
          result: (s) => {
            const { total, n } = s as { total: bigint; n: number };
            if (!n) return [null];
            const q = total / BigInt(n);
            const r = total % BigInt(n);
            return [Number(q) + Math.round(Number(r) / n)];
          },
        };
      }
      return { width: 1, init: () => [0, 0], add: (s, row, rt) => { if (p && p.fn(row, rt) !== true) return s; const v = a!.fn(row, rt) as number | null; if (v === null) return s; const [t, n] = s as number[]; return [t! + v, n! + 1]; }, result: (s) => { const [t, n] = s as number[]; return [n ? t! / n : null]; } };
    }
    case 'min': case 'max': case 'minif': case 'maxif': {
      const [a, p] = args();
      const better = name.startsWith('min') ? (c: number) => c < 0 : (c: number) => c > 0;
      return { width: 1, init: () => null, add: (s, row, rt) => { if (p && p.fn(row, rt) !== true) return s; const v = a!.fn(row, rt); if (v === null || v === undefined) return s; return s === null || better(compareValues(v, s)) ? v : s; }, result: (s) => [s] };
    }
    case 'make_set': case 'make_set_if': case 'make_list': case 'make_list_if': {
      const list = args();
      const conditional = name.endsWith('_if');
      const value = list[0]!;
      const pred = conditional ? list[1] : undefined;
      const limitArg = list[conditional ? 2 : 1];
      const unique = name.startsWith('make_set');
      // Values of a static non-dynamic type are primitives: compared as they are, no key string per value.
      const memberOf = value.type === 'dynamic' ? keyOf : (x: unknown) => x;
      type SetState = { items: unknown[]; seen: Set<unknown> | null };
      // Most groups stay small (one device, one time bin): a linear scan until 8 members, then a Set.
      const isNew = (st: SetState, x: unknown): boolean => {
        const k = memberOf(x);
        if (st.seen) {
          if (st.seen.has(k)) return false;
          st.seen.add(k);
          return true;
        }
        for (const y of st.items) if (memberOf(y) === k) return false;
        if (st.items.length >= 8) st.seen = new Set(st.items.map(memberOf)).add(k);
        return true;
      };
      return {
        width: 1,
        init: (): SetState => ({ items: [], seen: null }),
        add: (s, row, rt) => {
          const st = s as SetState;
          if (pred && pred.fn(row, rt) !== true) return st;
          const limit = limitArg ? (limitArg.fn(row, rt) as number) : 1_048_576;
          if (st.items.length >= limit) return st;
          const v = value.fn(row, rt);
          if (v === null || v === undefined) return st;
          const d = toDynamic(v, value.type);
          // make_set of an array adds its elements; one value is added as it is (no one-element array per row).
          if (!(unique && value.type === 'dynamic' && Array.isArray(d))) {
            if (!unique || isNew(st, d)) st.items.push(d);
            return st;
          }
          for (const x of d) {
            if (st.items.length >= limit) break;
            if (isNew(st, x)) st.items.push(x);
          }
          return st;
        },
        result: (s) => [(s as SetState).items],
      };
    }
    case 'arg_max': case 'arg_min': {
      const [by, ...rest] = argNodes;
      const byExpr = scalars.scalar(by, scope);
      const star = rest.length === 1 && kind(rest[0]) === 'StarExpression';
      // With *, the other input columns follow, except the argument column itself and the summarize keys.
      const skip = new Set([...(kind(by) === 'NameReference' ? [textOf(ctx, by).trim()] : []), ...byNames]);
      const outputs: CompiledScalar[] = star
        ? input.flatMap((c, i) => (skip.has(c.name) ? [] : [{ fn: (row: Value[]) => row[i], type: c.type }]))
        : rest.map((r: BridgeObject) => scalars.scalar(kind(r) === 'SimpleNamedExpression' ? r.Expression : r, scope));
      const better = name === 'arg_max' ? (c: number) => c > 0 : (c: number) => c < 0;
      const width = 1 + outputs.length;
      return {
        width,
        init: () => null,
        // A group whose values are all null still yields a row: its first (the arg_max/arg_min pages' Banana rows).
        add: (s, row, rt) => {
          const v = byExpr.fn(row, rt) ?? null;
          const st = s as { key: Value; row: Value[] } | null;
          const take = st === null || (v !== null && (st.key === null || better(compareValues(v, st.key))));
          return take ? { key: v, row: transientInput ? row.slice(0, input.length) : row } : st;
        },
        // Outputs are evaluated on the kept row once the group is done (not on every better row on the way).
        result: (s, rt) => {
          const st = s as { key: Value; row: Value[] } | null;
          return [st ? st.key : null, ...outputs.map((o) => (st ? o.fn(st.row, rt) : null))];
        },
      };
    }
    case 'variance': case 'varianceif': case 'variancep': case 'variancepif': case 'stdev': case 'stdevif': case 'stdevp': {
      const [a, p] = args();
      const population = name.startsWith('variancep') || name === 'stdevp';
      const root = name.startsWith('stdev');
      const { line, column } = positionOf(ctx, call);
      // Welford's running mean and sum of squared deviations: stable where sum-of-squares is not.
      type Moments = { n: number; mean: number; m2: number };
      return {
        width: 1,
        init: (): Moments => ({ n: 0, mean: 0, m2: 0 }),
        add: (s, row, rt) => {
          if (p && p.fn(row, rt) !== true) return s;
          const v = a!.fn(row, rt) as number | null;
          if (v === null || v === undefined) return s;
          const st = s as Moments;
          st.n++;
          const delta = v - st.mean;
          st.mean += delta / st.n;
          st.m2 += delta * (v - st.mean);
          return st;
        },
        result: (s) => {
          const { n, m2 } = s as Moments;
          if (n === 0) return [null];
          // The docs give the formulas with n - 1, not what Kusto returns for a single value: refuse rather than guess.
          if (!population && n === 1) throw new EngineError(`${name}() of a group with one value: Kusto's result for it is not documented, so the local engine does not guess (give the group at least two values)`, line, column);
          const variance = m2 / (population ? n : n - 1);
          return [root ? Math.sqrt(variance) : variance];
        },
      };
    }
    case 'make_bag': case 'make_bag_if': case 'make_dictionary': {
      const [a, second, third] = args();
      const p = name === 'make_bag_if' ? second : undefined;
      const limitArg = name === 'make_bag_if' ? third : second;
      const defaultLimit = name === 'make_dictionary' ? 128 : 1_048_576;
      // Kusto picks "an arbitrary value" for a key found in several rows; the first one seen is kept here.
      return {
        width: 1,
        // The key count is kept beside the bag: counting keys per added key made a 300,000-row bag quadratic.
        // A bag without a prototype, so a key named __proto__ is a key like any other.
        init: () => ({ bag: Object.create(null) as Record<string, unknown>, size: 0 }),
        add: (s, row, rt) => {
          const state = s as { bag: Record<string, unknown>; size: number };
          if (p && p.fn(row, rt) !== true) return state;
          const v = a!.fn(row, rt);
          if (!v || typeof v !== 'object' || Array.isArray(v)) return state;
          const limit = limitArg ? (limitArg.fn(row, rt) as number) : defaultLimit;
          for (const [k, x] of Object.entries(v)) {
            if (state.size >= limit) break;
            if (!Object.hasOwn(state.bag, k)) {
              state.bag[k] = x;
              state.size++;
            }
          }
          return state;
        },
        result: (s) => [{ ...(s as { bag: Record<string, unknown> }).bag }],
      };
    }
    case 'take_any': case 'any': {
      const list = args();
      // One column: a non-null, non-empty value if the group has one (take_any page); several: one row's values.
      if (list.length === 1) {
        const [a] = list;
        const empty = (v: Value) => v === null || v === undefined || v === '';
        return { width: 1, init: () => null, add: (s, row, rt) => (s === null || empty(s as Value) ? a!.fn(row, rt) ?? null : s), result: (s) => [s as Value] };
      }
      return { width: list.length, init: () => null, add: (s, row, rt) => s ?? list.map((a) => a.fn(row, rt)), result: (s) => (s as Value[] | null) ?? list.map(() => null) };
    }
    default:
      return unsupported(ctx, call, `aggregate ${name}()`);
  }
}

/**
 * `summarize Rate = round(100.0 * countif(Failed) / count(), 1)`, `tostring(make_set(x))`: each aggregate call inside
 * the expression is folded on its own, and the expression is evaluated once per group on their results.
 */
function scalarOverAggregates(ctx: CompileContext, node: BridgeObject, scope: RowScope, input: Column[], scalars: ScalarCompiler, byNames: string[], transientInput: boolean): Aggregator {
  const calls: BridgeObject[] = [];
  const find = (n: BridgeObject): void => {
    if (isAggregateCall(ctx, n)) return void calls.push(n);
    for (let i = 0; i < n.ChildCount; i++) {
      const child = n.GetChild(i);
      if (child) find(child);
    }
  };
  find(node);
  if (calls.length === 0) unsupported(ctx, node, 'a summarize expression without an aggregate');
  const inner = calls.map((c) => {
    const a = aggregator(ctx, c, scope, input, scalars, byNames, transientInput);
    if (a.width !== 1) unsupported(ctx, c, `${aggregateName(ctx, c)}() inside an expression`);
    return a;
  });
  // The expression reads aggregate i from slot i of a row of aggregate results.
  const replaced = new Map(calls.map((c, i): [BridgeObject, CompiledScalar] => [c, { fn: (row) => row[i], type: typeName(c.ResultType) }]));
  const expr = scalars.scalarWith(node, new RowScope([]), replaced);
  const type = typeName(node.ResultType);
  return {
    width: 1,
    init: () => inner.map((a) => a.init()),
    add: (s, row, rt) => {
      const states = s as unknown[];
      for (let i = 0; i < inner.length; i++) states[i] = inner[i]!.add(states[i], row, rt);
      return states;
    },
    result: (s, rt) => {
      const states = s as unknown[];
      return [cast(expr.fn(inner.map((a, i) => a.result(states[i], rt)[0]), rt), expr.type, type)];
    },
  };
}

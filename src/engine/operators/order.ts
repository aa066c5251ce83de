/** sort / order, top, take / limit. */
import type { BridgeObject } from '../../kql/kusto-language.ts';
import { listItems, textOf, type CompileContext, type RowStep, type Runtime, RowScope } from '../compiler/context.ts';
import type { ScalarCompiler } from '../compiler/scalar.ts';
import { compareValues, type Column, type Value } from '../values/types.ts';
import type { RowsFn } from './shape.ts';

interface SortKey {
  fn: (row: Value[], rt: Runtime) => Value;
  descending: boolean;
  nullsFirst: boolean;
}

/** Kusto defaults: descending; nulls last when descending, first when ascending. */
function sortKeys(ctx: CompileContext, ordered: BridgeObject[], input: Column[], scalars: ScalarCompiler, defaultDescending: boolean): SortKey[] {
  const scope = new RowScope(input);
  return ordered.map((o) => {
    const isOrdered = o.Ordering !== undefined;
    const expr = scalars.scalar(isOrdered ? o.Expression : o, scope);
    const ordering = isOrdered && o.Ordering ? textOf(ctx, o.Ordering).toLowerCase() : '';
    const descending = ordering.includes('asc') ? false : ordering.includes('desc') ? true : defaultDescending;
    const nullsFirst = ordering.includes('nulls first') ? true : ordering.includes('nulls last') ? false : !descending;
    return { fn: expr.fn, descending, nullsFirst };
  });
}

function sorter(keys: SortKey[]): RowsFn {
  return (rows, rt) => {
    const decorated = rows.map((row, i) => ({ row, i, keys: keys.map((k) => k.fn(row, rt)) }));
    decorated.sort((a, b) => {
      for (let k = 0; k < keys.length; k++) {
        const x = a.keys[k];
        const y = b.keys[k];
        const key = keys[k]!;
        const xNull = x === null || x === undefined;
        const yNull = y === null || y === undefined;
        if (xNull || yNull) {
          if (xNull && yNull) continue;
          return (xNull ? -1 : 1) * (key.nullsFirst ? 1 : -1);
        }
        // NaN is not null: it sorts below every number (the sort page: desc gives +inf … -5, NaN, then nulls).
        const xNaN = typeof x === 'number' && Number.isNaN(x);
        const yNaN = typeof y === 'number' && Number.isNaN(y);
        const c = xNaN || yNaN ? Number(yNaN) - Number(xNaN) : compareValues(x, y);
        if (c !== 0) return key.descending ? -c : c;
      }
      return a.i - b.i;
    });
    return decorated.map((d) => d.row);
  };
}

export function compileSort(ctx: CompileContext, node: BridgeObject, input: Column[], scalars: ScalarCompiler): RowsFn {
  return sorter(sortKeys(ctx, listItems(node.Expressions), input, scalars, true));
}

export function compileTop(ctx: CompileContext, node: BridgeObject, input: Column[], scalars: ScalarCompiler): RowsFn {
  const count = scalars.scalar(node.Expression, new RowScope([]));
  const sort = sorter(sortKeys(ctx, [node.ByExpression], input, scalars, true));
  return (rows, rt) => sort(rows, rt).slice(0, Math.max(0, Number(count.fn([], rt) ?? 0)));
}

/** take/limit streams: once it has its rows it tells the producers to stop reading. */
export function compileTake(node: BridgeObject, scalars: ScalarCompiler): RowStep {
  const count = scalars.scalar(node.Expression, new RowScope([]));
  return (rt, emit) => {
    const limit = Math.max(0, Number(count.fn([], rt) ?? 0));
    let taken = 0;
    return (row) => {
      if (taken >= limit) return false;
      taken++;
      const more = emit(row);
      return taken >= limit ? false : more;
    };
  };
}

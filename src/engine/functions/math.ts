/** Numeric functions. Null in → null out; results the bound type says are long are truncated to integers. */
import type { CompiledScalar, RowFn } from '../compiler/context.ts';
import type { Value } from '../values/types.ts';
import type { ScalarFunction } from './registry.ts';

const num = (v: Value): number | null => (v === null || v === undefined ? null : Number(v));

function unary(op: (x: number) => number): ScalarFunction {
  return ([a]) => (row, rt) => {
    const x = num(a!.fn(row, rt));
    return x === null ? null : op(x);
  };
}

function binary(op: (x: number, y: number) => number): ScalarFunction {
  return ([a, b]) => (row, rt) => {
    const x = num(a!.fn(row, rt));
    const y = num(b!.fn(row, rt));
    return x === null || y === null ? null : op(x, y);
  };
}

/** round(x, digits): half away from zero, as .NET's MidpointRounding.AwayFromZero that Kusto documents. */
function round([a, digits]: CompiledScalar[]): RowFn {
  return (row, rt) => {
    const x = num(a!.fn(row, rt));
    const d = digits ? num(digits.fn(row, rt)) ?? 0 : 0;
    if (x === null) return null;
    const f = 10 ** d;
    return (Math.sign(x) * Math.round(Math.abs(x) * f + Number.EPSILON * f)) / f;
  };
}

export const MATH_FUNCTIONS: Record<string, ScalarFunction> = {
  abs: unary(Math.abs),
  sqrt: unary((x) => (x < 0 ? NaN : Math.sqrt(x))),
  exp: unary(Math.exp),
  log: unary(Math.log),
  log10: unary(Math.log10),
  log2: unary(Math.log2),
  sign: unary(Math.sign),
  pow: binary((x, y) => x ** y),
  round,
};

/** Numeric functions. Null in → null out; results the bound type says are long are truncated to integers. */
import type { CompiledScalar, RowFn } from '../compiler/context.ts';
import type { Value } from '../values/types.ts';
import type { ScalarFunction } from './registry.ts';

const num = (v: Value): number | null => (v === null || v === undefined ? null : Number(v));

function unary(op: (x: number) => number | null): ScalarFunction {
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
  // Negative arguments give null, as the sqrt and log pages say (not NaN).
  sqrt: unary((x) => (x < 0 ? null : Math.sqrt(x))),
  exp: unary(Math.exp),
  exp2: unary((x) => 2 ** x),
  exp10: unary((x) => 10 ** x),
  log: unary((x) => (x < 0 ? null : Math.log(x))),
  log10: unary((x) => (x < 0 ? null : Math.log10(x))),
  log2: unary((x) => (x < 0 ? null : Math.log2(x))),
  ceiling: unary(Math.ceil),
  isnan: ([a]) => (row, rt) => Number.isNaN(a!.fn(row, rt) as number),
  isinf: ([a]) => (row, rt) => { const x = a!.fn(row, rt); return x === Infinity || x === -Infinity; },
  isfinite: ([a]) => (row, rt) => Number.isFinite(a!.fn(row, rt) as number),
  sign: unary(Math.sign),
  pow: binary((x, y) => x ** y),
  round,
};

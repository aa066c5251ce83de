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

/**
 * binary_* (docs: binary-and/or/xor/not/shift-left/shift-right functions): 64-bit two's-complement operations on
 * longs, computed with BigInt and wrapped to a signed 64-bit result (binary_not(100) is -101). Longs are doubles in
 * this engine: an operand beyond ±2^53 was already rounded before the call, and a result beyond ±2^53 is rounded to
 * the nearest double when it is stored. Null in → null out.
 */
function bitwise(op: (x: bigint, y: bigint) => bigint | null): ScalarFunction {
  return (args) => {
    const list = args.slice(); // read at compile time: every argument is used
    return (row, rt) => {
      const values = list.map((a) => num(a.fn(row, rt)));
      if (values.some((v) => v === null || !Number.isInteger(v))) return null;
      const [x, y] = (values as number[]).map((v) => BigInt.asIntN(64, BigInt(v)));
      const r = op(x!, y ?? 0n);
      return r === null ? null : Number(BigInt.asIntN(64, r));
    };
  };
}

// The shift pages: value << (shift % 64) and value >> (shift % 64), "if n is negative, a NULL value is returned" —
// read as a negative shift (the pages name no n). `>>` on a signed long is arithmetic (sign-extending), as in C#.
const shift = (left: boolean) => (x: bigint, y: bigint): bigint | null => (y < 0n ? null : left ? x << (y % 64n) : x >> (y % 64n));

export const MATH_FUNCTIONS: Record<string, ScalarFunction> = {
  binary_and: bitwise((x, y) => x & y),
  binary_or: bitwise((x, y) => x | y),
  binary_xor: bitwise((x, y) => x ^ y),
  binary_not: bitwise((x) => ~x),
  binary_shift_left: bitwise(shift(true)),
  binary_shift_right: bitwise(shift(false)),
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

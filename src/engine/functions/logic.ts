/** Conditionals, null tests and type conversions. */
import { parseDateTime, TICKS_0001_TO_ORIGIN } from '../values/time.ts';
import { toDynamic, toInteger, toKustoString, type KType, type Value } from '../values/types.ts';
import type { ScalarFunction } from './registry.ts';
import { createHash } from 'node:crypto';
import { xxhash64 } from '../values/xxhash64.ts';
import { EngineError } from '../errors.ts';

/**
 * Ticks from 0001-01-01 to the engine's datetime origin, 637134336000000000. The datetime page: "a particular date is
 * the number of ticks since 12:00 midnight, January 1, 0001", so tolong(datetime(2020-01-01)) is 637134336000000000;
 * time.ts counts datetimes from 2020-01-01 instead (to keep recent ones exact), so converting one to a number adds
 * this offset. Longs are doubles: the sum is exact to the nearest double, i.e. to 128 ticks (12.8 µs) for current
 * dates; tolong(datetime(2024-01-01)) is exact (638396640000000000), a datetime with sub-millisecond ticks may not be.
 * A timespan converts to its ticks as they are, with no origin (a timespan is a tick count: its page's `1tick` is
 * 100ns), so tolong(1d) is 864000000000. The reverse is not done here: todatetime of a number is null in datetime.ts,
 * and its page documents only text.
 */
const DATETIME_TICKS_OFFSET = Number(TICKS_0001_TO_ORIGIN); // exact: 2^18 times an odd number below 2^53

/**
 * toint/tolong/toreal/todouble/todecimal. Text outside the type's range is null (see toInteger in types.ts); a number
 * outside it (toint(2147483648), tolong(1e20), toint(datetime(…))) is a run-time error.
 */
function toNumber(v: Value, type: KType, target: 'int' | 'long' | 'real'): number | null {
  if (v === null || v === undefined) return null;
  if (type === target) return v as number; // already a value of the type
  let n: number;
  if (typeof v === 'number') n = type === 'datetime' ? v + DATETIME_TICKS_OFFSET : v;
  else if (typeof v === 'boolean') n = v ? 1 : 0;
  else if (typeof v === 'string') {
    const s = v.trim();
    if (s === '') return null;
    if (target !== 'real') return toInteger(s, target);
    n = Number(s);
    if (Number.isNaN(n)) return null;
  } else return null;
  if (target === 'real') return n;
  const i = toInteger(n, target);
  // Text that no int holds is a failed conversion (null), but for a number the pages say nothing, and a third-party
  // emulator reports Kusto wrapping longs and saturating reals: not guessed.
  if (i === null) throw new EngineError(`to${target}(${n}): the value is outside the ${target} range and Kusto's result for it is not documented`);
  return i;
}

const conversion = (target: 'int' | 'long' | 'real'): ScalarFunction => ([a]) => (row, rt) => toNumber(a!.fn(row, rt), a!.type, target);

/** Kusto's "empty": null, or an empty string (and empty dynamic arrays/bags for isempty). */
function isEmpty(v: Value): boolean {
  return v === null || v === undefined || v === '';
}

export const LOGIC_FUNCTIONS: Record<string, ScalarFunction> = {
  iff: ([c, a, b], info) => (row, rt) => (c!.fn(row, rt) === true ? cast(a!.fn(row, rt), a!.type, info.resultType) : cast(b!.fn(row, rt), b!.type, info.resultType)),
  case: (args, info) => {
    const list = args.slice(); // read at compile time: every argument is used
    return (row, rt) => {
      for (let i = 0; i + 1 < list.length; i += 2) if (list[i]!.fn(row, rt) === true) return cast(list[i + 1]!.fn(row, rt), list[i + 1]!.type, info.resultType);
      const last = list[list.length - 1]!;
      return cast(last.fn(row, rt), last.type, info.resultType);
    };
  },
  coalesce: (args, info) => {
    const list = args.slice(); // read at compile time: every argument is used
    return (row, rt) => {
      for (const a of list) {
        const v = a.fn(row, rt);
        if (!isEmpty(v)) return cast(v, a.type, info.resultType);
      }
      return info.resultType === 'string' ? '' : null;
    };
  },
  isempty: ([a]) => (row, rt) => isEmpty(a!.fn(row, rt)),
  isnotempty: ([a]) => (row, rt) => !isEmpty(a!.fn(row, rt)),
  isnull: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    return v === null || v === undefined;
  },
  isnotnull: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    return v !== null && v !== undefined;
  },
  not: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    return v === null ? null : !v;
  },
  toint: conversion('int'),
  tolong: conversion('long'),
  toreal: conversion('real'),
  todouble: conversion('real'),
  todecimal: conversion('real'),
  tobool: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    if (typeof v === 'boolean') return v;
    if (typeof v === 'number') return v !== 0;
    if (typeof v === 'string') return v.toLowerCase() === 'true' ? true : v.toLowerCase() === 'false' ? false : null;
    return null;
  },
  // 32 hex digits, hyphens anywhere ignored (the toguid page converts "0123456789ab-cdef-0123-456789abcdef").
  toguid: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    if (a!.type === 'guid') return v ?? null;
    if (typeof v !== 'string') return null;
    const hex = v.replace(/-/g, '').toLowerCase();
    return /^[0-9a-f]{32}$/.test(hex) ? `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` : null;
  },
  // hash(text[, mod]): XXH64 of the UTF-8 text, as a signed long (a double beyond 2^53, like every long here);
  // with mod, the unsigned hash modulo mod, exact. The bytes Kusto hashes for other types are not documented.
  hash: ([a, mod]) => {
    if (a!.type !== 'string') throw new EngineError(`hash() of a ${a!.type} value: the bytes Kusto hashes for it are not documented (hash a string, e.g. hash(tostring(x)))`);
    return (row, rt) => {
      const h = xxhash64(utf8.encode(a!.fn(row, rt) as string));
      if (!mod) return Number(BigInt.asIntN(64, h));
      const m = mod.fn(row, rt) as number | null;
      return m === null || m <= 0 ? null : Number(h % BigInt(Math.trunc(m)));
    };
  },
  hash_sha256: digest('sha256'),
  hash_sha1: digest('sha1'),
  hash_md5: digest('md5'),
};

const utf8 = new TextEncoder();

/** hash_sha256/hash_sha1/hash_md5 of a string: the lowercase hex digest of its UTF-8 bytes. */
function digest(algorithm: 'sha256' | 'sha1' | 'md5'): ScalarFunction {
  return ([a]) => {
    if (a!.type !== 'string') throw new EngineError(`hash_${algorithm}() of a ${a!.type} value: the bytes Kusto hashes for it are not documented (hash a string, e.g. hash_${algorithm}(tostring(x)))`);
    return (row, rt) => createHash(algorithm).update(a!.fn(row, rt) as string, 'utf8').digest('hex');
  };
}
LOGIC_FUNCTIONS.iif = LOGIC_FUNCTIONS.iff!;

/** Conditional branches of different numeric types take the call's result type (e.g. int → real). */
export function cast(v: Value, from: KType, to: KType): Value {
  if (v === null || v === undefined || from === to) return v ?? (to === 'string' ? '' : null);
  if (to === 'dynamic') return toDynamic(v, from);
  if (to === 'string') return toKustoString(v, from);
  if (to === 'datetime' && typeof v === 'string') return parseDateTime(v);
  if ((to === 'long' || to === 'int') && typeof v === 'number') return Math.trunc(v);
  return v;
}

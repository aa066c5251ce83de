/**
 * Kusto scalar values in the engine. Representation (chosen for speed; the static type travels with the
 * compiled expression, not with each value):
 *   string → JS string (never null: Kusto strings are empty, not null)
 *   bool → boolean | null; int/long/real/decimal → number | null
 *   datetime/timespan → number of ticks (see time.ts) | null
 *   guid → lowercase string | null; dynamic → plain JSON value (null, number, string, boolean, array, object)
 */
import { formatDateTime, formatDateTimeFull, formatTimespan, parseDateTime, parseTimespan } from './time.ts';
import type { KustoScalarType } from '../../kql/table-schemas.ts';

export type KType = KustoScalarType;
export type Value = unknown;

export interface Column {
  name: string;
  type: KType;
}

export interface Table {
  columns: Column[];
  rows: Value[][];
}

export const NUMERIC: ReadonlySet<KType> = new Set(['int', 'long', 'real', 'decimal']);

/** A Kusto type name from a Kusto.Language type symbol name ("real", "long", "dynamic", …). */
export function typeFromSymbolName(name: string | undefined): KType {
  switch (name) {
    case 'string': case 'int': case 'long': case 'real': case 'bool': case 'datetime': case 'timespan': case 'guid': case 'decimal':
      return name;
    default:
      return 'dynamic';
  }
}

/**
 * Decimal number text. Number() alone also reads "0x1A", "0b11" and "0o7", which are not Kusto numbers; Infinity
 * and NaN stay readable because toOutput writes non-finite reals that way.
 */
const NUMBER_TEXT = /^\s*(?:[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|[+-]?Infinity|NaN)\s*$/i;

// The int page: "a signed, 32-bit wide, integer"; the long page: "a signed, 64-bit wide, integer".
const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;

/**
 * A number or numeric text as an int or long: truncated toward zero (toint page: "If the input includes a decimal
 * value, the result truncate to only the integer portion", toint(2.3) is 2, so toint(-2.9) is -2), and null when
 * the result is outside the type's range (toint/tolong pages: "If the conversion is successful, the result is an
 * integer. Otherwise, the result is null"; a value no int holds is not a successful conversion). Longs are doubles
 * here: 2^63 is the first double past the maximum 2^63−1 (which a double cannot hold), so a real of 2^63 or more is
 * out of range; integer text is compared exactly, so "9223372036854775807" is in range (and then rounds to 2^63).
 */
export function toInteger(value: number | string, type: 'int' | 'long'): number | null {
  if (typeof value === 'string' && INTEGER_TEXT.test(value)) {
    const b = BigInt(value.trim());
    const ok = type === 'int' ? b >= BigInt(INT_MIN) && b <= BigInt(INT_MAX) : BigInt.asIntN(64, b) === b;
    return ok ? Number(b) : null;
  }
  const t = Math.trunc(typeof value === 'string' ? Number(value) : value) + 0; // + 0: -0 (toint(-0.5)) is 0
  return type === 'int' ? (t >= INT_MIN && t <= INT_MAX ? t : null) : t >= -(2 ** 63) && t < 2 ** 63 ? t : null;
}

/** Converts a fixture or JSON value to the engine representation of `type`; throws a message on mismatch. */
export function fromInput(value: unknown, type: KType): Value {
  if (value === undefined || value === null) return type === 'string' ? '' : null;
  switch (type) {
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'object') return JSON.stringify(value);
      return String(value);
    case 'int': case 'long': case 'real': case 'decimal': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && NUMBER_TEXT.test(value) ? Number(value) : NaN;
      if (Number.isNaN(n) && !(type === 'real' && value === 'NaN')) throw new TypeError(`expected a number, got ${JSON.stringify(value)}`);
      if (type !== 'int' && type !== 'long') return n;
      // 80.9 in an int column is a mistake in the fixture, not 80.
      if (!Number.isInteger(n)) throw new TypeError(`expected a whole number, got ${JSON.stringify(value)}`);
      const i = toInteger(typeof value === 'string' ? value : n, type);
      if (i === null) throw new TypeError(`${JSON.stringify(value)} is outside the ${type} range (${type === 'int' ? 'signed 32-bit' : 'signed 64-bit'})`);
      return i;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 1 || value === '1') return true;
      if (value === 'false' || value === 0 || value === '0') return false;
      throw new TypeError(`expected true or false, got ${JSON.stringify(value)}`);
    case 'datetime': {
      if (value instanceof Date) return parseDateTime(value.toISOString());
      const t = typeof value === 'string' ? parseDateTime(value) : null;
      if (t === null) throw new TypeError(`expected an ISO-8601 datetime, got ${JSON.stringify(value)}`);
      return t;
    }
    case 'timespan': {
      const t = typeof value === 'string' ? parseTimespan(value) : null;
      if (t === null) throw new TypeError(`expected a timespan like 01:00:00 or 1h, got ${JSON.stringify(value)}`);
      return t;
    }
    case 'guid': {
      // As toguid() reads text: 32 hex digits, hyphens ignored (the toguid page converts 0123456789ab-cdef-0123-456789abcdef).
      const hex = String(value).replace(/-/g, '').toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(hex)) throw new TypeError(`expected a guid like 74be27de-1e4e-49d9-b579-fe0b331d3642, got ${JSON.stringify(value)}`);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    }
    case 'dynamic':
      return value;
  }
}

/** JSON-ready output: datetimes ISO-8601, timespans as Kusto literals, dynamics as JSON values. */
export function toOutput(value: Value, type: KType): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'datetime') return formatDateTime(value as number);
  if (type === 'timespan') return formatTimespan(value as number);
  if ((type === 'real' || type === 'decimal') && typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return value;
}

/** tostring() of a value of `type`. */
export function toKustoString(value: Value, type: KType): string {
  if (value === null || value === undefined) return '';
  switch (type) {
    case 'string': return value as string;
    case 'datetime': return formatDateTimeFull(value as number);
    case 'timespan': return formatTimespan(value as number);
    case 'bool': return value ? 'true' : 'false';
    case 'dynamic': return typeof value === 'string' ? value : JSON.stringify(value);
    default: return String(value);
  }
}

/** Converts a value into a dynamic (datetimes become ISO strings, as Kusto stores them in dynamic). */
export function toDynamic(value: Value, type: KType): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'datetime') return formatDateTime(value as number);
  if (type === 'timespan') return formatTimespan(value as number);
  return value;
}

/** Equality key for grouping, distinct, join and dcount: typed values that are equal map to equal keys. */
export function keyOf(value: Value): string {
  if (value === null || value === undefined) return '\u0000null';
  if (typeof value === 'object') return '\u0001' + JSON.stringify(value);
  if (typeof value === 'string') return 's' + value;
  return 'n' + String(value);
}

/** Sort comparison for values of one type; nulls are handled by the caller (their position depends on direction). */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function isNullValue(v: Value, type: KType): boolean {
  return v === null || v === undefined || (type === 'real' && Number.isNaN(v as number) && false);
}

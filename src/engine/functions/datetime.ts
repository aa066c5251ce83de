/** datetime and timespan functions; the clock is the run's frozen `now`, never the wall clock. */
import { formatDateTime, parseDateTime, parseTimespan, TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_SECOND, toEpochMs, fromEpochMs } from '../values/time.ts';
import type { CompiledScalar, RowFn } from '../compiler/context.ts';
import type { Value } from '../values/types.ts';
import type { ScalarFunction } from './registry.ts';

const num = (v: Value) => (v === null || v === undefined ? null : Number(v));

export function binValue(value: number | null, size: number | null): number | null {
  if (value === null || size === null || size <= 0) return null;
  return Math.floor(value / size) * size;
}

export const DATETIME_FUNCTIONS: Record<string, ScalarFunction> = {
  now: ([offset]) => (row, rt) => rt.now + (offset ? num(offset.fn(row, rt)) ?? 0 : 0),
  ago: ([span]) => (row, rt) => {
    const s = num(span!.fn(row, rt));
    return s === null ? null : rt.now - s;
  },
  bin: ([value, size]) => (row, rt) => binValue(num(value!.fn(row, rt)), num(size!.fn(row, rt))),
  floor: ([value, size]) => (row, rt) => binValue(num(value!.fn(row, rt)), num(size!.fn(row, rt))),
  startofday: ([d]) => (row, rt) => binValue(num(d!.fn(row, rt)), TICKS_PER_DAY),
  endofday: ([d]) => (row, rt) => {
    const s = binValue(num(d!.fn(row, rt)), TICKS_PER_DAY);
    return s === null ? null : s + TICKS_PER_DAY - 1;
  },
  startofweek: ([d, offset]) => calendarStart(d!, offset, 'week', false),
  startofmonth: ([d, offset]) => calendarStart(d!, offset, 'month', false),
  startofyear: ([d, offset]) => calendarStart(d!, offset, 'year', false),
  endofweek: ([d, offset]) => calendarStart(d!, offset, 'week', true),
  endofmonth: ([d, offset]) => calendarStart(d!, offset, 'month', true),
  endofyear: ([d, offset]) => calendarStart(d!, offset, 'year', true),
  datetime_diff: ([part, a, b]) => (row, rt) => {
    const x = num(a!.fn(row, rt));
    const y = num(b!.fn(row, rt));
    if (x === null || y === null) return null;
    const unit: Record<string, number> = { day: TICKS_PER_DAY, hour: TICKS_PER_HOUR, minute: TICKS_PER_MINUTE, second: TICKS_PER_SECOND, millisecond: 10_000 };
    const size = unit[String(part!.fn(row, rt)).toLowerCase()];
    if (!size) return null;
    return Math.floor(x / size) - Math.floor(y / size);
  },
  datetime_add: ([part, amount, d]) => (row, rt) => {
    const base = num(d!.fn(row, rt));
    const n = num(amount!.fn(row, rt));
    if (base === null || n === null) return null;
    const p = String(part!.fn(row, rt)).toLowerCase();
    const date = new Date(toEpochMs(base));
    if (p === 'year') date.setUTCFullYear(date.getUTCFullYear() + n);
    else if (p === 'month') date.setUTCMonth(date.getUTCMonth() + n);
    else {
      const unit: Record<string, number> = { week: 7 * TICKS_PER_DAY, day: TICKS_PER_DAY, hour: TICKS_PER_HOUR, minute: TICKS_PER_MINUTE, second: TICKS_PER_SECOND, millisecond: 10_000 };
      return unit[p] === undefined ? null : base + n * unit[p]!;
    }
    return fromEpochMs(date.getTime()) + (base % 10_000);
  },
  todatetime: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    if (v === null || v === undefined) return null;
    if (a!.type === 'datetime') return v;
    return typeof v === 'string' ? parseDateTime(v) : null;
  },
  totimespan: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    if (v === null || v === undefined) return null;
    if (a!.type === 'timespan') return v;
    if (typeof v === 'number') return v;
    return typeof v === 'string' ? parseTimespan(v) : null;
  },
  format_datetime: ([d, f]) => (row, rt) => {
    const v = num(d!.fn(row, rt));
    if (v === null) return '';
    return formatWithPattern(v, String(f!.fn(row, rt)));
  },
  datetime_part: ([part, d]) => (row, rt) => {
    const v = num(d!.fn(row, rt));
    if (v === null) return null;
    const date = new Date(toEpochMs(v));
    const p = String(part!.fn(row, rt)).toLowerCase();
    const parts: Record<string, number> = { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: date.getUTCHours(), minute: date.getUTCMinutes(), second: date.getUTCSeconds(), millisecond: date.getUTCMilliseconds() };
    return parts[p] ?? null;
  },
  dayofweek: ([d]) => (row, rt) => {
    const v = num(d!.fn(row, rt));
    return v === null ? null : new Date(toEpochMs(v)).getUTCDay() * TICKS_PER_DAY;
  },
  hourofday: ([d]) => (row, rt) => {
    const v = num(d!.fn(row, rt));
    return v === null ? null : new Date(toEpochMs(v)).getUTCHours();
  },
  getyear: ([d]) => (row, rt) => {
    const v = num(d!.fn(row, rt));
    return v === null ? null : new Date(toEpochMs(v)).getUTCFullYear();
  },
};

/** format_datetime patterns: yyyy, yy, MM, M, dd, d, HH, H, hh, h, mm, m, ss, s, f…, tt. */
function formatWithPattern(ticks: number, pattern: string): string {
  const iso = formatDateTime(ticks);
  const date = new Date(toEpochMs(ticks));
  const frac = String(((ticks % 10_000_000) + 10_000_000) % 10_000_000).padStart(7, '0');
  const p2 = (n: number) => String(n).padStart(2, '0');
  const h12 = date.getUTCHours() % 12 || 12;
  void iso;
  return pattern.replace(/yyyy|yy|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|f{1,7}|F{1,7}|tt/g, (token) => {
    switch (token) {
      case 'yyyy': return String(date.getUTCFullYear()).padStart(4, '0');
      case 'yy': return p2(date.getUTCFullYear() % 100);
      case 'MM': return p2(date.getUTCMonth() + 1);
      case 'M': return String(date.getUTCMonth() + 1);
      case 'dd': return p2(date.getUTCDate());
      case 'd': return String(date.getUTCDate());
      case 'HH': return p2(date.getUTCHours());
      case 'H': return String(date.getUTCHours());
      case 'hh': return p2(h12);
      case 'h': return String(h12);
      case 'mm': return p2(date.getUTCMinutes());
      case 'm': return String(date.getUTCMinutes());
      case 'ss': return p2(date.getUTCSeconds());
      case 's': return String(date.getUTCSeconds());
      case 'tt': return date.getUTCHours() < 12 ? 'AM' : 'PM';
      default:
        return token[0] === 'f' ? frac.slice(0, token.length) : frac.slice(0, token.length).replace(/0+$/, '');
    }
  });
}

/**
 * startof/endof week (weeks start on Sunday), month and year, shifted by `offset` units; the end is the last
 * tick (100 ns) before the next period starts, as Kusto prints it (…T23:59:59.9999999Z).
 */
function calendarStart(d: CompiledScalar, offset: CompiledScalar | undefined, unit: 'week' | 'month' | 'year', end: boolean): RowFn {
  return (row, rt) => {
    const ticks = num(d.fn(row, rt));
    if (ticks === null) return null;
    const shift = (offset ? num(offset.fn(row, rt)) : 0) ?? 0;
    const date = new Date(toEpochMs(ticks));
    const y = date.getUTCFullYear();
    const m = date.getUTCMonth();
    const at = (k: number) =>
      unit === 'year' ? Date.UTC(y + k, 0, 1)
        : unit === 'month' ? Date.UTC(y, m + k, 1)
          : Date.UTC(y, m, date.getUTCDate() - date.getUTCDay() + 7 * k);
    return end ? fromEpochMs(at(shift + 1)) - 1 : fromEpochMs(at(shift));
  };
}

/** datetime and timespan functions; the clock is the run's frozen `now`, never the wall clock. */
import { formatDateTime, parseDateTime, parseTimespan, TICKS_PER_DAY, TICKS_PER_HOUR, TICKS_PER_MINUTE, TICKS_PER_MS, TICKS_PER_SECOND, toEpochMs, fromEpochMs, utcMs, floorDateTime, pastMax } from '../values/time.ts';
import type { CompiledScalar, RowFn } from '../compiler/context.ts';
import type { Value } from '../values/types.ts';
import type { ScalarFunction } from './registry.ts';
import { EngineError } from '../errors.ts';

const num = (v: Value) => (v === null || v === undefined ? null : Number(v));

export function binValue(value: number | null, size: number | null): number | null {
  if (value === null || size === null || size <= 0) return null;
  return Math.floor(value / size) * size;
}

/** bin()/floor(): numbers and timespans in multiples of the size; datetimes in multiples counted from 0001-01-01. */
function binFunction([value, size]: CompiledScalar[]): RowFn {
  if (value!.type !== 'datetime') return (row, rt) => binValue(num(value!.fn(row, rt)), num(size!.fn(row, rt)));
  return (row, rt) => {
    const v = num(value!.fn(row, rt));
    const s = num(size!.fn(row, rt));
    return v === null || s === null || s <= 0 ? null : floorDateTime(v, s);
  };
}

export const DATETIME_FUNCTIONS: Record<string, ScalarFunction> = {
  now: ([offset]) => (row, rt) => rt.now + (offset ? num(offset.fn(row, rt)) ?? 0 : 0),
  ago: ([span]) => (row, rt) => {
    const s = num(span!.fn(row, rt));
    return s === null ? null : rt.now - s;
  },
  bin: (args) => binFunction(args),
  floor: (args) => binFunction(args),
  startofday: ([d, offset]) => (row, rt) => {
    const start = binValue(num(d!.fn(row, rt)), TICKS_PER_DAY);
    return start === null ? null : start + ((offset ? num(offset.fn(row, rt)) : 0) ?? 0) * TICKS_PER_DAY;
  },
  endofday: ([d, offset]) => (row, rt) => {
    const start = binValue(num(d!.fn(row, rt)), TICKS_PER_DAY);
    return start === null ? null : lastTickBefore(start + (((offset ? num(offset.fn(row, rt)) : 0) ?? 0) + 1) * TICKS_PER_DAY, 'endofday');
  },
  startofweek: ([d, offset]) => calendarStart(d!, offset, 'week', false),
  startofmonth: ([d, offset]) => calendarStart(d!, offset, 'month', false),
  startofyear: ([d, offset]) => calendarStart(d!, offset, 'year', false),
  endofweek: ([d, offset]) => calendarStart(d!, offset, 'week', true),
  endofmonth: ([d, offset]) => calendarStart(d!, offset, 'month', true),
  endofyear: ([d, offset]) => calendarStart(d!, offset, 'year', true),
  // The number of period boundaries between the two datetimes (calendar periods count calendar boundaries).
  datetime_diff: ([part, a, b]) => (row, rt) => {
    const x = num(a!.fn(row, rt));
    const y = num(b!.fn(row, rt));
    if (x === null || y === null) return null;
    const period = periodOf(part!.fn(row, rt), 'datetime_diff');
    const calendar = CALENDAR_INDEX[period];
    if (calendar) return calendar(x) - calendar(y);
    if (period === 'nanosecond') return (x - y) * 100;
    const size = FIXED_TICKS[period]!;
    return Math.floor(x / size) - Math.floor(y / size);
  },
  datetime_add: ([part, amount, d]) => (row, rt) => {
    const base = num(d!.fn(row, rt));
    const n = num(amount!.fn(row, rt));
    if (base === null || n === null) return null;
    const period = periodOf(part!.fn(row, rt), 'datetime_add');
    if (period === 'year' || period === 'quarter' || period === 'month') {
      const date = new Date(toEpochMs(base));
      const months = period === 'year' ? 12 * n : period === 'quarter' ? 3 * n : n;
      // A day past the end of the target month is clamped to its last day (Jan 31 + 1 month = Feb 28/29).
      const day = date.getUTCDate();
      date.setUTCDate(1);
      date.setUTCMonth(date.getUTCMonth() + months);
      const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
      date.setUTCDate(Math.min(day, lastDay));
      return fromEpochMs(date.getTime()) + (((base % TICKS_PER_MS) + TICKS_PER_MS) % TICKS_PER_MS);
    }
    if (period === 'week') return base + n * 7 * TICKS_PER_DAY;
    if (period === 'nanosecond') return base + Math.trunc(n / 100);
    return base + n * FIXED_TICKS[period]!;
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
    const p = String(part!.fn(row, rt)).toLowerCase();
    const get = DATETIME_PARTS[p === 'weekofyear' ? 'week_of_year' : p];
    if (!get) throw new EngineError(`datetime_part(): unknown part '${String(part!.fn(row, rt))}'`);
    return get(v);
  },
  getmonth: ([d]) => (row, rt) => partOf(d!.fn(row, rt), 'month'),
  monthofyear: ([d]) => (row, rt) => partOf(d!.fn(row, rt), 'month'),
  dayofmonth: ([d]) => (row, rt) => partOf(d!.fn(row, rt), 'day'),
  dayofyear: ([d]) => (row, rt) => partOf(d!.fn(row, rt), 'dayofyear'),
  week_of_year: ([d]) => (row, rt) => partOf(d!.fn(row, rt), 'week_of_year'),
  make_datetime: (args) => {
    const list = args.slice(); // read at compile time: every argument is used
    return (row, rt) => {
      const v = list.map((a) => num(a.fn(row, rt)));
      if (v.some((x) => x === null)) return null;
      const [y, mo, day, h = 0, mi = 0, sec = 0] = v as number[];
      if (sec < 0 || sec >= 60 || y! < 1 || y! > 9999) return null;
      // utcMs validates the calendar (2021-02-30 is NaN) and keeps years 1–99 as they are (Date.UTC maps them to 19xx).
      const ms = utcMs(y!, mo! - 1, day!, h, mi, 0);
      return Number.isNaN(ms) ? null : fromEpochMs(ms) + Math.round(sec * TICKS_PER_SECOND);
    };
  },
  make_timespan: (args) => {
    const list = args.slice(); // read at compile time: every argument is used
    return (row, rt) => {
      const v = list.map((a) => num(a.fn(row, rt)));
      if (v.some((x) => x === null)) return null;
      // (hour, minute), (hour, minute, second) or (day, hour, minute, second)
      const [d, h, m, sec] = v.length === 4 ? (v as number[]) : [0, ...(v as number[]), 0].slice(0, 4);
      return d! * TICKS_PER_DAY + h! * TICKS_PER_HOUR + m! * TICKS_PER_MINUTE + Math.round((sec ?? 0) * TICKS_PER_SECOND);
    };
  },
  dayofweek: ([d]) => (row, rt) => {
    const v = num(d!.fn(row, rt));
    return v === null ? null : new Date(toEpochMs(v)).getUTCDay() * TICKS_PER_DAY;
  },
  hourofday: ([d]) => (row, rt) => {
    const v = num(d!.fn(row, rt));
    return v === null ? null : new Date(toEpochMs(v)).getUTCHours();
  },
  // bin_at(value, bin_size, fixed_point) (docs: bin-at-function): fixed_point + floor((value - fixed_point) / bin_size)
  // * bin_size, so that bins align to fixed_point (bin_at(6.5, 2.5, 7) is 4.5; bin_at(1h, 1d, 12h) is -12h). Integer
  // kinds (long, int, datetime and timespan ticks) are computed exactly with BigInt; reals as doubles. A bin size
  // that is not positive gives null, as bin() does here.
  bin_at: ([value, size, fixed]) => {
    const exact = value!.type !== 'real' && size!.type !== 'real' && fixed!.type !== 'real' && value!.type !== 'decimal';
    return (row, rt) => {
      const v = num(value!.fn(row, rt));
      const s = num(size!.fn(row, rt));
      const f = num(fixed!.fn(row, rt));
      if (v === null || s === null || f === null || !(s > 0)) return null;
      if (!exact || !Number.isInteger(v) || !Number.isInteger(s) || !Number.isInteger(f)) return f + Math.floor((v - f) / s) * s;
      const [bv, bs, bf] = [BigInt(v), BigInt(s), BigInt(f)];
      const d = bv - bf;
      const q = d >= 0n ? d / bs : -((-d + bs - 1n) / bs); // floor division
      return Number(bf + q * bs);
    };
  },
  // unixtime_seconds/milliseconds/microseconds/nanoseconds_todatetime(n) (docs: unixtime-*-todatetime-function): the
  // instant n units after 1970-01-01, negative before it; null when it falls outside Kusto's datetime range
  // (years 1–9999). A datetime holds 100 ns ticks: an input finer than that is refused rather than rounded one way
  // or the other (the pages do not say which); a real's binary noise is rounded away. Inputs are doubles here, so a
  // nanosecond count beyond 2^53 (after 1970-04-15) has already lost its last digits before the call.
  unixtime_seconds_todatetime: ([a]) => unixtime(a!, TICKS_PER_SECOND, 'unixtime_seconds_todatetime'),
  unixtime_milliseconds_todatetime: ([a]) => unixtime(a!, TICKS_PER_MS, 'unixtime_milliseconds_todatetime'),
  unixtime_microseconds_todatetime: ([a]) => unixtime(a!, 10, 'unixtime_microseconds_todatetime'),
  unixtime_nanoseconds_todatetime: ([a]) => unixtime(a!, 0.01, 'unixtime_nanoseconds_todatetime'),
  getyear: ([d]) => (row, rt) => {
    const v = num(d!.fn(row, rt));
    return v === null ? null : new Date(toEpochMs(v)).getUTCFullYear();
  },
};

/** format_datetime patterns: yyyy, yy, y, MM, M, dd, d, HH, H, hh, h, mm, m, ss, s, f…, F…, tt. */
function formatWithPattern(ticks: number, pattern: string): string {
  const iso = formatDateTime(ticks);
  const date = new Date(toEpochMs(ticks));
  const frac = String(((ticks % 10_000_000) + 10_000_000) % 10_000_000).padStart(7, '0');
  const p2 = (n: number) => String(n).padStart(2, '0');
  const h12 = date.getUTCHours() % 12 || 12;
  void iso;
  return pattern.replace(/yyyy|yy|y|MM|M|dd|d|HH|H|hh|h|mm|m|ss|s|f{1,7}|F{1,7}|tt/g, (token) => {
    switch (token) {
      case 'yyyy': return String(date.getUTCFullYear()).padStart(4, '0');
      case 'yy': return p2(date.getUTCFullYear() % 100);
      case 'y': return String(date.getUTCFullYear() % 100);
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
/**
 * The end of a period is the tick before the next one starts. Outside 1991–2048 a double cannot hold that tick and
 * it would round up to the next period's start, so `t <= endofday(x)` would admit the next midnight: refused instead.
 * Past 9999 the boundary itself is out of range and the value prints as Kusto's last instant.
 */
function lastTickBefore(boundary: number, fn: string): number {
  const end = boundary - 1;
  if (end === boundary && !pastMax(boundary)) {
    throw new EngineError(`${fn}(): the last tick before ${formatDateTime(boundary)} is outside the range the local engine holds exactly (1991–2048); the result would be the next period's start`);
  }
  return end;
}

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
    return end ? lastTickBefore(fromEpochMs(at(shift + 1)), `endof${unit}`) : fromEpochMs(at(shift));
  };
}

type Period = 'year' | 'quarter' | 'month' | 'week' | 'day' | 'hour' | 'minute' | 'second' | 'millisecond' | 'microsecond' | 'nanosecond';
const PERIODS: Record<string, Period> = {
  year: 'year', quarter: 'quarter', month: 'month', week: 'week', day: 'day', hour: 'hour', minute: 'minute', second: 'second',
  millisecond: 'millisecond', microsecond: 'microsecond', nanosecond: 'nanosecond',
};

function periodOf(value: Value, fn: string): Period {
  const period = PERIODS[String(value).toLowerCase()];
  if (!period) throw new EngineError(`${fn}(): unknown period '${String(value)}' (Year, Quarter, Month, Week, Day, Hour, Minute, Second, Millisecond, Microsecond or Nanosecond)`);
  return period;
}

const FIXED_TICKS: Partial<Record<Period, number>> = { day: TICKS_PER_DAY, hour: TICKS_PER_HOUR, minute: TICKS_PER_MINUTE, second: TICKS_PER_SECOND, millisecond: TICKS_PER_MS, microsecond: 10 };

/** A running index of calendar periods, so that differences count the boundaries crossed. */
const CALENDAR_INDEX: Partial<Record<Period, (ticks: number) => number>> = {
  year: (t) => new Date(toEpochMs(t)).getUTCFullYear(),
  quarter: (t) => { const d = new Date(toEpochMs(t)); return d.getUTCFullYear() * 4 + Math.floor(d.getUTCMonth() / 3); },
  month: (t) => { const d = new Date(toEpochMs(t)); return d.getUTCFullYear() * 12 + d.getUTCMonth(); },
  // Weeks start on Sunday (as startofweek); 2020-01-05, a Sunday, is day 4 after the ticks' epoch.
  week: (t) => Math.floor((Math.floor(t / TICKS_PER_DAY) - 4) / 7),
};

const fraction = (t: number) => ((t % TICKS_PER_SECOND) + TICKS_PER_SECOND) % TICKS_PER_SECOND;

const DATETIME_PARTS: Record<string, (ticks: number) => number> = {
  year: (t) => new Date(toEpochMs(t)).getUTCFullYear(),
  quarter: (t) => Math.floor(new Date(toEpochMs(t)).getUTCMonth() / 3) + 1,
  month: (t) => new Date(toEpochMs(t)).getUTCMonth() + 1,
  week_of_year: (t) => isoWeek(new Date(toEpochMs(t))),
  day: (t) => new Date(toEpochMs(t)).getUTCDate(),
  dayofyear: (t) => { const d = new Date(toEpochMs(t)); return Math.floor((Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1; },
  hour: (t) => new Date(toEpochMs(t)).getUTCHours(),
  minute: (t) => new Date(toEpochMs(t)).getUTCMinutes(),
  second: (t) => new Date(toEpochMs(t)).getUTCSeconds(),
  millisecond: (t) => Math.floor(fraction(t) / TICKS_PER_MS),
  microsecond: (t) => Math.floor(fraction(t) / 10),
  nanosecond: (t) => fraction(t) * 100,
};

function partOf(v: Value, part: string): number | null {
  const t = num(v);
  return t === null ? null : DATETIME_PARTS[part]!(t);
}

/** ISO 8601 week number: weeks start on Monday, week 1 holds the year's first Thursday. */
function isoWeek(date: Date): number {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

/** Ticks (from 2020-01-01) of datetime(0001-01-01) and of the first tick after 9999-12-31, Kusto's datetime range. */
const MIN_TICKS = fromEpochMs(utcMs(1, 0, 1));
const MAX_TICKS = fromEpochMs(utcMs(10000, 0, 1));

function unixtime(arg: CompiledScalar, ticksPerUnit: number, fn: string): RowFn {
  const epoch = fromEpochMs(0);
  return (row, rt) => {
    const n = num(arg.fn(row, rt));
    if (n === null || !Number.isFinite(n)) return null;
    const exact = ticksPerUnit >= 1 ? n * ticksPerUnit : n / Math.round(1 / ticksPerUnit);
    const ticks = Math.round(exact);
    const noise = Math.max(1e-6, Math.abs(exact) * Number.EPSILON * 4);
    if (Math.abs(exact - ticks) > noise) throw new EngineError(`${fn}(${n}): a datetime holds 100 ns ticks and the docs do not say how a finer value is rounded`);
    const t = epoch + ticks;
    return t < MIN_TICKS || t >= MAX_TICKS ? null : t;
  };
}

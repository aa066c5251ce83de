/**
 * datetime and timespan values, held as plain numbers of 100-nanosecond ticks (Kusto's precision) so the
 * hot path does arithmetic on doubles, not objects. A double holds integers exactly up to 2^53 ticks
 * (about 28.5 years), so datetimes count ticks from 2020-01-01 rather than from 1970: every datetime
 * from 1991 to 2048 is exact to 100 ns; outside that range precision degrades gracefully (to 200 ns, ...).
 */
const EPOCH_MS = Date.UTC(2020, 0, 1);
export const TICKS_PER_MS = 10_000;
export const TICKS_PER_SECOND = 10_000_000;
export const TICKS_PER_MINUTE = 60 * TICKS_PER_SECOND;
export const TICKS_PER_HOUR = 60 * TICKS_PER_MINUTE;
export const TICKS_PER_DAY = 24 * TICKS_PER_HOUR;

/** Ticks from 0001-01-01, Kusto's tick origin (datetime page), to this engine's origin 2020-01-01. */
export const TICKS_0001_TO_ORIGIN = 637134336000000000n;
let lastSize = 0;
let lastOffset = 0;

/**
 * A datetime rounded down to a multiple of `size` ticks counted from 0001-01-01, as bin() does: counting from the
 * engine's own origin would start 7d bins on a Wednesday (2020-01-01) instead of a Monday (0001-01-01).
 */
export function floorDateTime(ticks: number, size: number): number {
  if (!Number.isInteger(size)) return Math.floor(ticks / size) * size; // a fraction of a tick: no calendar meaning
  // The origin's remainder needs BigInt; a query bins by one size, so the last one is kept.
  if (size !== lastSize) {
    lastOffset = Number(TICKS_0001_TO_ORIGIN % BigInt(size));
    lastSize = size;
  }
  const offset = lastOffset;
  const r = (((ticks % size) + offset) % size + size) % size;
  return ticks - r;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const ZONE = '(Z|GMT|UTC|[+-]\\d{2}:?\\d{2})';
// ISO 8601 and "sortable" (%Y-%n-%e: month and day may be one digit).
const ISO = new RegExp(`^(\\d{4})-(\\d{1,2})-(\\d{1,2})(?:[T ](\\d{1,2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,7})\\d*)?)?)?\\s*${ZONE}?$`, 'i');
// RFC 822 (Sat, 8 Nov 14 15:05:02 GMT) and RFC 850 (Saturday, 08-Nov-14 15:05:02 GMT).
const RFC = new RegExp(`^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,\\s*)?(\\d{1,2})([ -])([a-z]{3})\\2(\\d{2}|\\d{4})(?:\\s+(\\d{1,2}):(\\d{2})(?::(\\d{2}))?)?(?:\\s+${ZONE})?$`, 'i');
// Month first, as todatetime('12-02-2022') on the todatetime page and 02/17/2016 08:40:01 on the parse page.
const US = /^(\d{1,2})([/-])(\d{1,2})\2(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
// Year, month, day, as the startofweek page writes datetime(2025, 6, 14).
const COMMAS = /^(\d{4}),\s*(\d{1,2}),\s*(\d{1,2})$/;

/**
 * Parses the forms the datetime data type page lists for datetime(...) / todatetime() (ISO 8601, RFC 822, RFC 850,
 * sortable) and the two that other pages' examples use; null when invalid. Written out rather than left to Date.parse,
 * which reads local time and accepts "1" or "hello 12" as dates and rolls Feb 30 over into March.
 */
export function parseDateTime(text: string): number | null {
  const s = text.trim();
  let m = ISO.exec(s);
  if (m) return ticksOf(+m[1]!, +m[2]!, +m[3]!, m[4], m[5], m[6], m[7], m[8]);
  m = RFC.exec(s);
  if (m) {
    const month = MONTHS.indexOf(m[3]!.toLowerCase()) + 1;
    // Two-digit years: 00–49 are 20xx, 50–99 are 19xx (the RFC pages' "08-Nov-14" is 2014).
    const y = m[4]!.length === 2 ? +m[4]! + (+m[4]! < 50 ? 2000 : 1900) : +m[4]!;
    return month ? ticksOf(y, month, +m[1]!, m[5], m[6], m[7], undefined, m[8]) : null;
  }
  m = US.exec(s);
  if (m) return ticksOf(+m[4]!, +m[1]!, +m[3]!, m[5], m[6], m[7]);
  m = COMMAS.exec(s);
  return m ? ticksOf(+m[1]!, +m[2]!, +m[3]!) : null;
}

/** Ticks of validated components (month 1-based); null for a date that does not exist or is outside 0001–9999. */
function ticksOf(y: number, mo: number, d: number, h = '0', mi = '0', sec = '0', frac = '', zone?: string): number | null {
  let ms = utcMs(y, mo - 1, d, +h, +mi, +sec);
  if (Number.isNaN(ms)) return null;
  if (zone && !['Z', 'GMT', 'UTC'].includes(zone.toUpperCase())) {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  if (!(ms >= FIRST_MS && ms < END_MS)) return null;
  return (ms - EPOCH_MS) * TICKS_PER_MS + Number((frac + '0000000').slice(0, 7));
}

/**
 * Date.UTC without its mapping of years 0–99 to 1900–1999 (datetime(0001-01-01) is year 1). Components out of
 * range give NaN: Date.UTC would roll 2021-02-30 over to March 2, a date Kusto does not produce (todatetime is null).
 */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 1 ? (leap ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month];
  if (!(days && day >= 1 && day <= days && hour >= 0 && hour < 24 && minute >= 0 && minute < 60 && second >= 0 && second < 60)) return NaN;
  const date = new Date(Date.UTC(2000, month, day, hour, minute, second));
  date.setUTCFullYear(year);
  return date.getTime();
}

/** Kusto's datetime range: 0001-01-01 up to, not including, 10000-01-01. */
const FIRST_MS = utcMs(1, 0, 1);
const END_MS = utcMs(10000, 0, 1);

export function fromEpochMs(ms: number): number {
  return (ms - EPOCH_MS) * TICKS_PER_MS;
}

export function toEpochMs(ticks: number): number {
  return ticks / TICKS_PER_MS + EPOCH_MS;
}

/**
 * Kusto's last instant, 9999-12-31 23:59:59.9999999, is about 2.5e17 ticks from the engine's origin: as a double it
 * rounds up into year 10000, which toISOString writes as "+010000-…". Such a value prints as the last instant.
 */
const MAX_TEXT = '9999-12-31T23:59:59.9999999Z';
export const pastMax = (ticks: number) => ticks / TICKS_PER_MS + EPOCH_MS >= END_MS;

/**
 * ISO-8601 UTC with all 7 fractional digits, as tostring()/strcat() of a datetime give it in Kusto
 * (tostring(datetime(2017-10-15 12:00)) is 2017-10-15T12:00:00.0000000Z, per the reverse() page).
 */
export function formatDateTimeFull(ticks: number): string {
  if (pastMax(ticks)) return MAX_TEXT;
  const ms = Math.floor(ticks / TICKS_PER_MS);
  const rest = ticks - ms * TICKS_PER_MS;
  const iso = new Date(ms + EPOCH_MS).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}${String(rest).padStart(4, '0')}Z`;
}

/** ISO-8601 UTC with 7 fractional digits trimmed to what is needed (results print 2024-01-01T00:00:00Z). */
export function formatDateTime(ticks: number): string {
  if (pastMax(ticks)) return MAX_TEXT;
  const ms = Math.floor(ticks / TICKS_PER_MS);
  const rest = ticks - ms * TICKS_PER_MS;
  const iso = new Date(ms + EPOCH_MS).toISOString(); // 2024-01-01T00:00:00.000Z
  const frac = (iso.slice(20, 23) + String(rest).padStart(4, '0')).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

const UNIT_TICKS: Record<string, number> = {
  d: TICKS_PER_DAY, day: TICKS_PER_DAY, days: TICKS_PER_DAY,
  h: TICKS_PER_HOUR, hr: TICKS_PER_HOUR, hrs: TICKS_PER_HOUR, hour: TICKS_PER_HOUR, hours: TICKS_PER_HOUR,
  m: TICKS_PER_MINUTE, min: TICKS_PER_MINUTE, minute: TICKS_PER_MINUTE, minutes: TICKS_PER_MINUTE,
  s: TICKS_PER_SECOND, sec: TICKS_PER_SECOND, second: TICKS_PER_SECOND, seconds: TICKS_PER_SECOND,
  ms: TICKS_PER_MS, milli: TICKS_PER_MS, millis: TICKS_PER_MS, millisecond: TICKS_PER_MS, milliseconds: TICKS_PER_MS,
  microsecond: 10, microseconds: 10, tick: 1, ticks: 1,
};

/** `1h`, `30m`, `1.5d`, `00:05:00`, `1.02:03:04.5` → ticks; null when invalid. */
export function parseTimespan(text: string): number | null {
  const s = text.trim();
  const unit = /^(-?\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(s);
  if (unit) {
    const factor = UNIT_TICKS[unit[2]!.toLowerCase()];
    return factor === undefined ? null : Math.round(Number(unit[1]) * factor);
  }
  const clock = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/.exec(s);
  if (clock) {
    const [, neg, d = '0', h, mi, sec = '0', frac = ''] = clock;
    if (+h! > 23 || +mi! > 59 || +sec > 59) return null; // [d.]hh:mm:ss: 00:75:00 is not 75 minutes
    const ticks = Number(d) * TICKS_PER_DAY + Number(h) * TICKS_PER_HOUR + Number(mi) * TICKS_PER_MINUTE + Number(sec) * TICKS_PER_SECOND + Number((frac + '0000000').slice(0, 7));
    return neg ? -ticks : ticks;
  }
  return null;
}

/** Kusto's timespan text: [-][d.]hh:mm:ss[.fffffff]. */
export function formatTimespan(ticks: number): string {
  const neg = ticks < 0;
  let t = Math.abs(ticks);
  const d = Math.floor(t / TICKS_PER_DAY);
  t -= d * TICKS_PER_DAY;
  const h = Math.floor(t / TICKS_PER_HOUR);
  t -= h * TICKS_PER_HOUR;
  const m = Math.floor(t / TICKS_PER_MINUTE);
  t -= m * TICKS_PER_MINUTE;
  const s = Math.floor(t / TICKS_PER_SECOND);
  const frac = t - s * TICKS_PER_SECOND;
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${neg ? '-' : ''}${d ? `${d}.` : ''}${p2(h)}:${p2(m)}:${p2(s)}${frac ? `.${String(frac).padStart(7, '0')}` : ''}`;
}

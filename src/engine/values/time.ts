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

/** Parses ISO-8601 and the other forms Kusto accepts in datetime(...) / todatetime(); null when invalid. */
export function parseDateTime(text: string): number | null {
  const s = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7})\d*)?)?)?\s*(Z|GMT|UTC|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (m) {
    const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
    let ms = utcMs(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
    if (Number.isNaN(ms)) return null;
    if (zone && !['Z', 'GMT', 'UTC'].includes(zone.toUpperCase())) {
      const sign = zone[0] === '-' ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
    return (ms - EPOCH_MS) * TICKS_PER_MS + Number((frac + '0000000').slice(0, 7));
  }
  const fallback = Date.parse(s);
  return Number.isNaN(fallback) ? null : fromEpochMs(fallback);
}

/** Date.UTC without its mapping of years 0–99 to 1900–1999 (datetime(0001-01-01) is year 1). */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const date = new Date(Date.UTC(2000, month, day, hour, minute, second));
  date.setUTCFullYear(year);
  return date.getTime();
}

export function fromEpochMs(ms: number): number {
  return (ms - EPOCH_MS) * TICKS_PER_MS;
}

export function toEpochMs(ticks: number): number {
  return ticks / TICKS_PER_MS + EPOCH_MS;
}

/**
 * ISO-8601 UTC with all 7 fractional digits, as tostring()/strcat() of a datetime give it in Kusto
 * (tostring(datetime(2017-10-15 12:00)) is 2017-10-15T12:00:00.0000000Z, per the reverse() page).
 */
export function formatDateTimeFull(ticks: number): string {
  const ms = Math.floor(ticks / TICKS_PER_MS);
  const rest = ticks - ms * TICKS_PER_MS;
  const iso = new Date(ms + EPOCH_MS).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}${String(rest).padStart(4, '0')}Z`;
}

/** ISO-8601 UTC with 7 fractional digits trimmed to what is needed (results print 2024-01-01T00:00:00Z). */
export function formatDateTime(ticks: number): string {
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

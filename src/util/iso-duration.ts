/** ISO-8601 durations as the Sentinel and Graph APIs use them (PnDTnHnMnS; no years/months/weeks). */
const PATTERN = /^P(?!$)(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Milliseconds in the duration, or null when it is not a day-time ISO-8601 duration. */
export function parseIsoDuration(text: string): number | null {
  const m = PATTERN.exec(text);
  if (!m) return null;
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Number(s ?? 0) * 1000;
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/**
 * Every Handlebars helper the templates may use, registered in one place. Values reach the output only
 * through `json`: Handlebars' own escaping is for HTML and is switched off (noEscape), because HTML
 * escaping is wrong for JSON and a missed value would break the artifact or inject into it.
 */
import type { HelperDelegate } from 'handlebars';
import { apiTactic } from './attack-mapping.ts';
import { parseIsoDuration } from '../util/iso-duration.ts';

export const TEMPLATE_HELPERS: Record<string, HelperDelegate> = {
  /** JSON-encodes any value; the only way templates should emit data. */
  json: (value: unknown) => {
    if (value === undefined) throw new Error('json: value is undefined (misspelt field in the template?)');
    return JSON.stringify(value);
  },
  /** Joins its arguments as strings (the trailing Handlebars options object is dropped). */
  concat: (...args: unknown[]) => args.slice(0, -1).map(String).join(''),
  /** Normalises a duration to canonical ISO-8601 (PT60M → PT1H, PT24H → P1D). */
  isoDuration: (value: string) => {
    const ms = parseIsoDuration(value);
    if (ms === null) throw new Error(`isoDuration: not an ISO-8601 duration: ${value}`);
    return formatIsoDuration(ms);
  },
  /** ATT&CK tactic shortname → the AttackTactic spelling both APIs use. */
  apiTactic: (shortname: string) => apiTactic(shortname),
};

export function formatIsoDuration(ms: number): string {
  if (ms === 0) return 'PT0S';
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  const seconds = (rest - minutes * 60_000) / 1000;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

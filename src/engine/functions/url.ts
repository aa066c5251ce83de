/** URL functions. */
import type { ScalarFunction } from './registry.ts';
import { str } from './strings.ts';

// scheme://[username[:password]@]host[:port][/path][?query][#fragment]
const ABSOLUTE_URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#([\s\S]*))?$/;
const HOST_PORT = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/;

/**
 * parse_url(url) (docs: parse-url-function): a bag of Scheme, Host, Port, Path, Username, Password, Query Parameters
 * (a bag of the query's key=value pairs) and Fragment, every part a string as the docs' example prints it — Port
 * "1234", Path "this/is/a/path" without its leading slash. Absent parts are empty. Text that is not an absolute
 * URL (no `scheme://`: mailto:…, a bare host, an empty string) gives every part empty, as Kusto answers per
 * microsoft/Kusto-Query-Language#112 ("all fields come back empty"); fixture data often has an empty RemoteUrl.
 */
export function parseUrl(url: string): Record<string, unknown> {
  const m = ABSOLUTE_URL.exec(url);
  const authority = m?.[2] ?? '';
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const hp = HOST_PORT.exec(at >= 0 ? authority.slice(at + 1) : authority);
  if (!m || !hp) return { Scheme: '', Host: '', Port: '', Path: '', Username: '', Password: '', 'Query Parameters': {}, Fragment: '' };
  const colon = userinfo.indexOf(':');
  const query: Record<string, string> = {};
  for (const pair of (m[4] ?? '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    query[eq >= 0 ? pair.slice(0, eq) : pair] = eq >= 0 ? pair.slice(eq + 1) : '';
  }
  return {
    Scheme: m[1]!,
    Host: hp[1]!,
    Port: hp[2] ?? '',
    Path: m[3]!.replace(/^\//, ''),
    Username: colon >= 0 ? userinfo.slice(0, colon) : userinfo,
    Password: colon >= 0 ? userinfo.slice(colon + 1) : '',
    'Query Parameters': query,
    Fragment: m[5] ?? '',
  };
}

export const URL_FUNCTIONS: Record<string, ScalarFunction> = {
  parse_url: ([a]) => {
    const s = str(a!);
    return (row, rt) => parseUrl(s(row, rt));
  },
};
// Deprecated alias the docs list.
URL_FUNCTIONS.parseurl = URL_FUNCTIONS.parse_url!;

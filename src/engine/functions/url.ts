/** URL functions. */
import { EngineError } from '../errors.ts';
import type { ScalarFunction } from './registry.ts';
import { str } from './strings.ts';

// scheme://[username[:password]@]host[:port][/path][?query][#fragment]
const ABSOLUTE_URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#([\s\S]*))?$/;
const HOST_PORT = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/;

/**
 * parse_url(url) (docs: parse-url-function): a bag of Scheme, Host, Port, Path, Username, Password, Query Parameters
 * (a bag of the query's key=value pairs) and Fragment, every part a string as the docs' example prints it — Port
 * "1234", Path "this/is/a/path" without its leading slash. Absent parts are empty. The docs define the result only
 * for an absolute URL, so any other text (no `scheme://`, a non-numeric port, an empty string) is refused at run time
 * rather than answered with a guess.
 */
export function parseUrl(url: string): Record<string, unknown> {
  const m = ABSOLUTE_URL.exec(url);
  const authority = m?.[2] ?? '';
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : '';
  const hp = HOST_PORT.exec(at >= 0 ? authority.slice(at + 1) : authority);
  if (!m || !hp) {
    throw new EngineError(`not supported by the local engine: parse_url() of ${JSON.stringify(url)}, which is not an absolute URL (scheme://host…); the Kusto docs do not define that result`);
  }
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

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

/**
 * parse_urlquery(query) (docs: parse-url-query-function): a bag with one key, "Query Parameters", holding a bag of the
 * query's key=value pairs as strings — the page prints {"Query Parameters":"{"k1":"v1", …}"}, but its second example
 * reads params["Query Parameters"].[param], so the inner value is a bag, as in parse_url. Empty pairs (a&&b) are
 * skipped. Refused at run time, because the page does not say what Kusto does with them: percent-escapes and '+'
 * (decoded or kept?), a key given twice (first, last or both?), a pair without '=' and a leading '?'.
 */
export function parseUrlQuery(query: string): Record<string, unknown> {
  const fail = (why: string): never => {
    throw new EngineError(`parse_urlquery() of ${JSON.stringify(query)}: ${why}`);
  };
  if (query.startsWith('?')) fail("a leading '?': the docs take the query part without it");
  if (/[%+]/.test(query)) fail("percent-escapes and '+': the docs do not say whether they are decoded");
  const params: Record<string, string> = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq < 0) fail(`the pair ${JSON.stringify(pair)} has no '=': the docs do not say what it gives`);
    const key = pair.slice(0, eq);
    if (Object.hasOwn(params, key)) fail(`the key ${JSON.stringify(key)} is given twice: the docs do not say which value is kept`);
    params[key] = pair.slice(eq + 1);
  }
  return { 'Query Parameters': params };
}

export const URL_FUNCTIONS: Record<string, ScalarFunction> = {
  parse_url: ([a]) => {
    const s = str(a!);
    return (row, rt) => parseUrl(s(row, rt));
  },
  parse_urlquery: ([a]) => {
    const s = str(a!);
    return (row, rt) => parseUrlQuery(s(row, rt));
  },
};
// Deprecated alias the docs list.
URL_FUNCTIONS.parseurl = URL_FUNCTIONS.parse_url!;
URL_FUNCTIONS.parseurlquery = URL_FUNCTIONS.parse_urlquery!;

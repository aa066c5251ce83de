/** IPv4 functions (Kusto returns null for text that is not an IPv4 address). */
import type { CompiledScalar, Runtime } from '../compiler/context.ts';
import { EngineError, MissingInputError } from '../errors.ts';
import { toDynamic, toKustoString, type Value } from '../values/types.ts';
import { str } from './strings.ts';
import type { ScalarFunction } from './registry.ts';

/** `a.b.c.d[/prefix]` → [address as unsigned int, prefix]; null when invalid. */
export function parseIpv4(text: string): [number, number] | null {
  const fast = scanIpv4(text);
  if (fast !== undefined) return fast;
  const m = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return null;
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (prefix > 32) return null;
  return [((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!, prefix];
}

/**
 * The same grammar as the regular expression in parseIpv4 for text without surrounding whitespace, read one
 * character at a time (called once per row by ipv4_is_private and friends). undefined: leave it to the regex.
 */
function scanIpv4(text: string): [number, number] | null | undefined {
  const n = text.length;
  if (n === 0 || text.charCodeAt(0) <= 32 || text.charCodeAt(n - 1) <= 32) return undefined;
  let address = 0;
  let i = 0;
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (text.charCodeAt(i) !== 46 /* . */) return null;
      i++;
    }
    const start = i;
    let octet = 0;
    while (i < n && i - start < 4) {
      const c = text.charCodeAt(i) - 48;
      if (c < 0 || c > 9) break;
      octet = octet * 10 + c;
      i++;
    }
    if (i === start || i - start > 3 || octet > 255) return null;
    address = address * 256 + octet;
  }
  if (i === n) return [address, 32];
  if (text.charCodeAt(i) !== 47 /* / */) return null;
  const digits = n - i - 1;
  if (digits < 1 || digits > 2) return null;
  let prefix = 0;
  for (let j = i + 1; j < n; j++) {
    const c = text.charCodeAt(j) - 48;
    if (c < 0 || c > 9) return null;
    prefix = prefix * 10 + c;
  }
  return prefix > 32 ? null : [address, prefix];
}

const maskOf = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((r) => {
  const [base, prefix] = parseIpv4(r)!;
  return { mask: maskOf(prefix), network: (base & maskOf(prefix)) >>> 0 };
});

export function isPrivateIpv4(text: string): boolean | null {
  const ip = parseIpv4(text);
  if (!ip) return null;
  for (const r of PRIVATE_RANGES) if (((ip[0] & r.mask) >>> 0) === r.network) return true;
  return false;
}

/** Fixture table that serves geo_info_from_ip_address(): first column an IPv4 address or CIDR, the others the bag's fields. */
export const GEO_FIXTURE_TABLE = 'geo_info_from_ip_address';
const GEO_INDEX = Symbol('geo-index');

type GeoEntry = { base: number; prefix: number; bag: Record<string, unknown> };

/** The fixture rows as (network, bag) pairs, most specific prefix first; built once per run. */
function geoIndex(rt: Runtime): GeoEntry[] {
  let index = rt.memo.get(GEO_INDEX) as GeoEntry[] | undefined;
  if (index) return index;
  const table = rt.tables[GEO_FIXTURE_TABLE];
  if (!table) throw new MissingInputError(`geo_info_from_ip_address() needs a fixture table named '${GEO_FIXTURE_TABLE}' (first column: IPv4 address or CIDR; then country, state, city, latitude, longitude)`, { kind: 'geo', name: GEO_FIXTURE_TABLE });
  index = [];
  for (const row of table.rows) {
    const net = parseIpv4(String(row[0] ?? ''));
    if (!net) continue;
    const bag: Record<string, unknown> = {};
    table.columns.slice(1).forEach((c, i) => (bag[c.name] = toDynamic(row[i + 1], c.type)));
    index.push({ base: (net[0] & maskOf(net[1])) >>> 0, prefix: net[1], bag });
  }
  index.sort((a, b) => b.prefix - a.prefix);
  rt.memo.set(GEO_INDEX, index);
  return index;
}

export const IP_FUNCTIONS: Record<string, ScalarFunction> = {
  // Kusto reads MaxMind GeoLite2; locally the caller supplies the mapping as a fixture table. Unknown → null.
  geo_info_from_ip_address: ([a]) => {
    const s = str(a!);
    return (row, rt) => {
      const ip = parseIpv4(s(row, rt));
      if (!ip) return null;
      const hit = geoIndex(rt).find((e) => ((ip[0] & maskOf(e.prefix)) >>> 0) === e.base);
      return hit ? { ...hit.bag } : null;
    };
  },
  ipv4_is_private: ([a]) => {
    const s = str(a!);
    return (row, rt) => isPrivateIpv4(s(row, rt));
  },
  parse_ipv4: ([a]) => {
    const s = str(a!);
    return (row, rt) => {
      const ip = parseIpv4(s(row, rt));
      return ip ? ((ip[0] & maskOf(ip[1])) >>> 0) : null;
    };
  },
  ipv4_is_in_range: ([a, r]) => {
    const s = str(a!);
    const range = str(r!);
    return (row, rt) => {
      const ip = parseIpv4(s(row, rt));
      const net = parseIpv4(range(row, rt));
      if (!ip || !net) return null;
      const mask = maskOf(net[1]);
      return ((ip[0] & mask) >>> 0) === ((net[0] & mask) >>> 0);
    };
  },
  ipv4_compare: ([a, b, prefix]) => {
    const s1 = str(a!);
    const s2 = str(b!);
    return (row, rt) => {
      const x = parseIpv4(s1(row, rt));
      const y = parseIpv4(s2(row, rt));
      if (!x || !y) return null;
      const p = Math.min(x[1], y[1], prefix ? Number((prefix.fn(row, rt) as Value) ?? 32) : 32);
      const mask = maskOf(p);
      const dx = (x[0] & mask) >>> 0;
      const dy = (y[0] & mask) >>> 0;
      return dx < dy ? -1 : dx > dy ? 1 : 0;
    };
  },
  ipv4_is_match: ([a, b, prefix]) => {
    const cmp = IP_FUNCTIONS.ipv4_compare!([a!, b!, ...(prefix ? [prefix] : [])], { resultType: 'long' });
    return (row, rt) => {
      const c = cmp(row, rt);
      return c === null ? null : c === 0;
    };
  },
  // ipv4_is_in_any_range(ip, range, range, …) or (ip, dynamic([ranges])) (docs: ipv4-is-in-any-range-function):
  // true when the address is in one of the ranges, null when the address does not parse. A range that does not
  // parse is refused (at compile time when it is a constant): the page's "null if conversion for one of the two
  // IPv4 strings wasn't successful" does not say whether a bad range makes the whole answer null or is skipped.
  ipv4_is_in_any_range: (args) => {
    const list = args.slice(); // read at compile time: every argument is used
    const s = str(list[0]!);
    const ranges = rangeList(list.slice(1), 'ipv4_is_in_any_range');
    return (row, rt) => {
      const ip = parseIpv4(s(row, rt));
      const nets = ranges(row, rt).map((text) => {
        const net = text === null ? null : parseIpv4(text);
        if (!net) throw new EngineError(`ipv4_is_in_any_range() with the range ${JSON.stringify(text)}: the docs do not say whether a range that does not parse makes the result null or is skipped`);
        return net;
      });
      if (!ip) return null;
      return nets.some((net) => ((ip[0] & maskOf(net[1])) >>> 0) === ((net[0] & maskOf(net[1])) >>> 0));
    };
  },
  // ipv4_netmask_suffix(ip) (docs: ipv4-netmask-suffix-function): the /prefix, 32 without one, null when not IPv4.
  ipv4_netmask_suffix: ([a]) => {
    const s = str(a!);
    return (row, rt) => parseIpv4(s(row, rt))?.[1] ?? null;
  },
  // parse_ipv4_mask(ip, prefix) (docs: parse-ipv4-mask-function): the address masked to its first `prefix` bits (and
  // to its own /prefix when it has one, as format_ipv4 does), as a long; null when either does not convert.
  parse_ipv4_mask: ([a, p]) => {
    const s = str(a!);
    return (row, rt) => {
      const ip = parseIpv4(s(row, rt));
      const prefix = prefixArgument(p!.fn(row, rt));
      if (!ip || prefix === null) return null;
      return (ip[0] & maskOf(Math.min(ip[1], prefix))) >>> 0;
    };
  },
  // format_ipv4(ip[, prefix]) (docs: format-ipv4-function): the masked address as text; the effective prefix is the
  // smaller of the argument and the address's own /prefix ('192.168.1.1/24' with 32 gives 192.168.1.0); a prefix
  // outside 0–32 (the page's -1) or an address that does not convert gives an empty string.
  format_ipv4: ([a, p]) => {
    const address = ipv4Argument(a!, 'format_ipv4');
    return (row, rt) => {
      const net = maskedIpv4(address(row, rt), p ? p.fn(row, rt) : 32);
      return net ? formatIpv4(net[0]) : '';
    };
  },
  // format_ipv4_mask(ip[, prefix]) (docs: format-ipv4-mask-function): the same, in CIDR notation (192.168.1.0/24).
  format_ipv4_mask: ([a, p]) => {
    const address = ipv4Argument(a!, 'format_ipv4_mask');
    return (row, rt) => {
      const net = maskedIpv4(address(row, rt), p ? p.fn(row, rt) : 32);
      return net ? `${formatIpv4(net[0])}/${net[1]}` : '';
    };
  },
  // has_ipv4(text, ip) (docs: has-ipv4-function): true when ip is a valid IPv4 address and the text holds it delimited
  // by non-alphanumeric characters (05:04:54127.0.0.1 does not hold 127.0.0.1); false otherwise, never null.
  has_ipv4: ([t, ip]) => {
    const text = str(t!);
    const needle = str(ip!);
    return (row, rt) => {
      const wanted = ipv4Octets(needle(row, rt), false);
      return wanted !== null && textHasIpv4(text(row, rt), [wanted]);
    };
  },
  // has_ipv4_prefix(text, prefix) (docs: has-ipv4-prefix-function): the prefix is a full address or 1–3 octets ending
  // with a dot ("192.168."); true when a valid, delimited address of the text starts with those octets.
  has_ipv4_prefix: ([t, p]) => {
    const text = str(t!);
    const needle = str(p!);
    return (row, rt) => {
      const wanted = ipv4Octets(needle(row, rt), true);
      return wanted !== null && textHasIpv4(text(row, rt), [wanted]);
    };
  },
  // has_any_ipv4(text, ip, ip, …) or (text, dynamic([ips])) (docs: has-any-ipv4-function): has_ipv4 for any of them;
  // entries that are not valid IPv4 addresses (or not strings) never match. has_any_ipv4_prefix: the same for prefixes.
  has_any_ipv4: hasAnyIpv4('has_any_ipv4', false),
  has_any_ipv4_prefix: hasAnyIpv4('has_any_ipv4_prefix', true),
};

const formatIpv4 = (n: number) => `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;

/** A prefix argument: an integer in 0–32, else null (the format_ipv4 page: -1 gives an empty result). */
function prefixArgument(v: Value): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 32 ? n : null;
}

/**
 * The ip argument of format_ipv4/format_ipv4_mask: "a string or number representation in big-endian order". A
 * number is the address as an unsigned 32-bit value (0–4294967295, else the conversion fails). A string of digits
 * only is refused: the pages do not say whether it is read as a number.
 */
function ipv4Argument(arg: CompiledScalar, fn: string): (row: Value[], rt: Runtime) => [number, number] | null {
  if (arg.type === 'int' || arg.type === 'long') {
    return (row, rt) => {
      const v = arg.fn(row, rt);
      if (v === null || v === undefined) return null;
      const n = Number(v);
      return Number.isInteger(n) && n >= 0 && n <= 0xffffffff ? [n, 32] : null;
    };
  }
  if (arg.type !== 'string' && arg.type !== 'dynamic') throw new EngineError(`${fn}() of a ${arg.type} value: the docs describe a string or a number`);
  return (row, rt) => {
    const v = arg.fn(row, rt);
    if (typeof v === 'number') return Number.isInteger(v) && v >= 0 && v <= 0xffffffff ? [v, 32] : null;
    const text = toKustoString(v, arg.type);
    if (/^\s*\d+\s*$/.test(text)) throw new EngineError(`${fn}() of the digit string ${JSON.stringify(text)}: the docs do not say whether it is read as a number`);
    return parseIpv4(text);
  };
}

/** The address masked to min(its own prefix, prefix); null when either does not convert. */
function maskedIpv4(ip: [number, number] | null, prefixValue: Value): [number, number] | null {
  const prefix = prefixArgument(prefixValue);
  if (!ip || prefix === null) return null;
  const p = Math.min(ip[1], prefix);
  return [(ip[0] & maskOf(p)) >>> 0, p];
}

/**
 * The ranges of ipv4_is_in_any_range (or the needles of has_any_ipv4*): several string arguments, or one dynamic
 * array (its non-string elements are null). Another mix is refused at compile time.
 */
function stringList(rest: CompiledScalar[], fn: string): (row: Value[], rt: Runtime) => (string | null)[] {
  if (rest.length === 0) throw new EngineError(`${fn}() needs at least one value to look for`);
  if (rest.length === 1 && rest[0]!.type === 'dynamic') {
    const arr = rest[0]!;
    return (row, rt) => {
      const v = arr.fn(row, rt);
      if (!Array.isArray(v)) throw new EngineError(`${fn}() with a dynamic argument that is not an array: the docs describe a dynamic array`);
      return v.map((e) => (typeof e === 'string' ? e : null));
    };
  }
  if (rest.some((a) => a.type === 'dynamic')) throw new EngineError(`not supported by the local engine: ${fn}() with a dynamic argument among several (the docs describe strings, or one dynamic array)`);
  const parts = rest.map(str);
  return (row, rt) => parts.map((p) => p(row, rt));
}

function rangeList(rest: CompiledScalar[], fn: string): (row: Value[], rt: Runtime) => (string | null)[] {
  // Constant ranges are checked once, at compile time.
  for (const a of rest) {
    if (a.constant && a.type === 'string') {
      let text: string | undefined;
      try {
        text = a.fn([], undefined as unknown as Runtime) as string;
      } catch {
        text = undefined;
      }
      if (text !== undefined && !parseIpv4(text)) throw new EngineError(`${fn}() with the range ${JSON.stringify(text)}: the docs do not say whether a range that does not parse makes the result null or is skipped`);
    }
  }
  return stringList(rest, fn);
}

const needleList = stringList;

/**
 * `a.b.c.d` (prefix false) or, with prefix true, also `a.`, `a.b.`, `a.b.c.` (the has_ipv4_prefix page): the octets,
 * each 0–255; null when the text is not of that form.
 */
function ipv4Octets(text: string, prefix: boolean): number[] | null {
  const m = /^(\d{1,3})\.(?:(\d{1,3})\.(?:(\d{1,3})\.(\d{1,3})?)?)?$/.exec(text);
  if (!m) return null;
  const octets = m.slice(1).filter((o) => o !== undefined).map(Number);
  if (octets.some((o) => o > 255)) return null;
  if (octets.length === 4) return octets; // a complete address (prefix or not)
  return prefix ? octets : null;
}

const WORD = /[\p{L}\p{N}]/u;
const isWordChar = (c: string | undefined) => c !== undefined && WORD.test(c);
const CANDIDATE = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/y;

/**
 * Whether the text holds a valid IPv4 address, delimited by non-alphanumeric characters on both sides (the has_ipv4
 * page's rule, applied literally: a dot is a delimiter too, so "1.2.3.4.5" holds 1.2.3.4 and 2.3.4.5), whose first
 * octets equal one of `wanted` (4 octets: the address; fewer: a prefix). Octets compare as numbers.
 */
function textHasIpv4(text: string, wanted: number[][]): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57 || (i > 0 && isWordChar(text[i - 1]))) continue;
    CANDIDATE.lastIndex = i;
    const m = CANDIDATE.exec(text);
    if (!m || isWordChar(text[i + m[0].length])) continue;
    const octets = m.slice(1, 5).map(Number);
    if (octets.some((o) => o > 255)) continue;
    if (wanted.some((w) => w.every((o, k) => o === octets[k]))) return true;
  }
  return false;
}

function hasAnyIpv4(name: string, prefixes: boolean): ScalarFunction {
  return (args) => {
    const list = args.slice(); // read at compile time: every argument is used
    const text = str(list[0]!);
    const needles = needleList(list.slice(1), name);
    return (row, rt) => {
      const wanted = needles(row, rt).flatMap((n) => (n === null ? [] : [ipv4Octets(n, prefixes)].filter((o) => o !== null)));
      return wanted.length > 0 && textHasIpv4(text(row, rt), wanted as number[][]);
    };
  };
}

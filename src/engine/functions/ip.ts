/** IPv4 functions (Kusto returns null for text that is not an IPv4 address). */
import type { Runtime } from '../compiler/context.ts';
import { EngineError } from '../errors.ts';
import { toDynamic, type Value } from '../values/types.ts';
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
  if (!table) throw new EngineError(`geo_info_from_ip_address() needs a fixture table named '${GEO_FIXTURE_TABLE}' (first column: IPv4 address or CIDR; then country, state, city, latitude, longitude)`);
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
};

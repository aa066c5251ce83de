/** IPv4 functions (Kusto returns null for text that is not an IPv4 address). */
import type { Value } from '../values/types.ts';
import { str } from './strings.ts';
import type { ScalarFunction } from './registry.ts';

/** `a.b.c.d[/prefix]` → [address as unsigned int, prefix]; null when invalid. */
export function parseIpv4(text: string): [number, number] | null {
  const m = /^\s*(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return null;
  const prefix = m[5] === undefined ? 32 : Number(m[5]);
  if (prefix > 32) return null;
  return [((octets[0]! << 24) >>> 0) + (octets[1]! << 16) + (octets[2]! << 8) + octets[3]!, prefix];
}

const maskOf = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((r) => parseIpv4(r)!);

export function isPrivateIpv4(text: string): boolean | null {
  const ip = parseIpv4(text);
  if (!ip) return null;
  return PRIVATE_RANGES.some(([base, prefix]) => ((ip[0] & maskOf(prefix)) >>> 0) === ((base & maskOf(prefix)) >>> 0));
}

export const IP_FUNCTIONS: Record<string, ScalarFunction> = {
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

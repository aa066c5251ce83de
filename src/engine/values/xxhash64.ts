/**
 * XXH64 (seed 0) of a byte string, the hash Kusto's hash() documents ("The algorithm used to calculate the hash is
 * xxhash"): hash("World") is 1846988464401551951 on the hash() page, which test/engine checks. Written from the
 * published algorithm (github.com/Cyan4973/xxHash, doc/xxhash_spec.md) with BigInt, since the engine computes one
 * hash per row at most and needs no speed here.
 */
const P1 = 0x9e3779b185ebca87n;
const P2 = 0xc2b2ae3d27d4eb4fn;
const P3 = 0x165667b19e3779f9n;
const P4 = 0x85ebca77c2b2ae63n;
const P5 = 0x27d4eb2f165667c5n;
const MASK = 0xffffffffffffffffn;

const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & MASK;
const round = (acc: bigint, input: bigint) => (rotl((acc + input * P2) & MASK, 31n) * P1) & MASK;
const merge = (acc: bigint, val: bigint) => (((acc ^ round(0n, val)) * P1) & MASK) + P4 & MASK;

function lane64(b: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[at + i]!);
  return v;
}

function lane32(b: Uint8Array, at: number): bigint {
  return BigInt((b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) >>> 0) + (BigInt(b[at + 3]!) << 24n);
}

/** The unsigned 64-bit XXH64 of `bytes` with seed 0. */
export function xxhash64(bytes: Uint8Array): bigint {
  const len = bytes.length;
  let i = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (P1 + P2) & MASK;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (-P1) & MASK;
    for (; i + 32 <= len; i += 32) {
      v1 = round(v1, lane64(bytes, i));
      v2 = round(v2, lane64(bytes, i + 8));
      v3 = round(v3, lane64(bytes, i + 16));
      v4 = round(v4, lane64(bytes, i + 24));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
    h = merge(h, v1);
    h = merge(h, v2);
    h = merge(h, v3);
    h = merge(h, v4);
  } else h = P5;
  h = (h + BigInt(len)) & MASK;
  for (; i + 8 <= len; i += 8) {
    h ^= round(0n, lane64(bytes, i));
    h = (rotl(h, 27n) * P1 + P4) & MASK;
  }
  if (i + 4 <= len) {
    h ^= (lane32(bytes, i) * P1) & MASK;
    h = (rotl(h, 23n) * P2 + P3) & MASK;
    i += 4;
  }
  for (; i < len; i++) {
    h ^= (BigInt(bytes[i]!) * P5) & MASK;
    h = (rotl(h, 11n) * P1) & MASK;
  }
  h ^= h >> 33n;
  h = (h * P2) & MASK;
  h ^= h >> 29n;
  h = (h * P3) & MASK;
  h ^= h >> 32n;
  return h;
}

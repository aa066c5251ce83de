/** dynamic (JSON) functions and conversions to and from it. */
import { toDynamic, toKustoString, type Value } from '../values/types.ts';
import type { ScalarFunction } from './registry.ts';

/** parse_json/todynamic: JSON text → value; text that is not JSON stays a string, as in Kusto. */
export function parseJson(v: Value): unknown {
  if (typeof v !== 'string') return v ?? null;
  const s = v.trim();
  if (s === '') return null;
  try {
    return JSON.parse(s);
  } catch {
    return v;
  }
}

export const DYNAMIC_FUNCTIONS: Record<string, ScalarFunction> = {
  // A one-entry cache per call site: todynamic(AdditionalFields).a, todynamic(AdditionalFields).b on the same
  // row parse the text once; a Map over every distinct text cost more in hashing than it saved (uids are unique).
  todynamic: ([a]) => {
    if (a!.type !== 'string') return (row, rt) => toDynamic(a!.fn(row, rt), a!.type);
    let lastText: string | undefined;
    let lastValue: unknown;
    return (row, rt) => {
      const text = a!.fn(row, rt) as string;
      if (text !== lastText) {
        lastValue = parseJson(text);
        lastText = text;
      }
      return lastValue;
    };
  },
  array_length: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    return Array.isArray(v) ? v.length : null;
  },
  bag_keys: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    return v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : null;
  },
  pack_array: (args) => (row, rt) => args.map((a) => toDynamic(a.fn(row, rt), a.type)),
  bag_pack: (args) => (row, rt) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i + 1 < args.length; i += 2) out[toKustoString(args[i]!.fn(row, rt), args[i]!.type)] = toDynamic(args[i + 1]!.fn(row, rt), args[i + 1]!.type);
    return out;
  },
  set_union: (args) => (row, rt) => {
    const seen = new Set<string>();
    const out: unknown[] = [];
    for (const a of args) {
      const v = a.fn(row, rt);
      if (!Array.isArray(v)) continue;
      for (const x of v) {
        const k = JSON.stringify(x);
        if (!seen.has(k)) {
          seen.add(k);
          out.push(x);
        }
      }
    }
    return out;
  },
  array_concat: (args) => (row, rt) => args.flatMap((a) => {
    const v = a.fn(row, rt);
    return Array.isArray(v) ? v : [];
  }),
  array_index_of: ([arr, x]) => (row, rt) => {
    const v = arr!.fn(row, rt);
    if (!Array.isArray(v)) return null;
    const needle = JSON.stringify(toDynamic(x!.fn(row, rt), x!.type));
    return v.findIndex((e) => JSON.stringify(e) === needle);
  },
  // range(start, stop, step): numbers, or datetimes/timespans stepped by a timespan; the stop is inclusive.
  range: ([start, stop, step]) => (row, rt) => {
    const from = start!.fn(row, rt) as number | null;
    const to = stop!.fn(row, rt) as number | null;
    const by = step ? (step.fn(row, rt) as number | null) : start!.type === 'datetime' || start!.type === 'timespan' ? null : 1;
    if (from === null || to === null || by === null || by === 0) return null;
    const out: unknown[] = [];
    for (let v = from; by > 0 ? v <= to : v >= to; v += by) {
      out.push(toDynamic(v, start!.type));
      if (out.length > 1_048_576) break; // Kusto caps range() arrays at 1,048,576 elements
    }
    return out;
  },
  gettype: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    if (a!.type !== 'dynamic') return a!.type === 'real' ? 'real' : a!.type;
    if (v === null) return 'null';
    if (Array.isArray(v)) return 'array';
    if (typeof v === 'object') return 'dictionary';
    if (typeof v === 'number') return Number.isInteger(v) ? 'long' : 'real';
    return typeof v === 'boolean' ? 'bool' : 'string';
  },
};
DYNAMIC_FUNCTIONS.parse_json = DYNAMIC_FUNCTIONS.todynamic!;
DYNAMIC_FUNCTIONS.pack = DYNAMIC_FUNCTIONS.bag_pack!;

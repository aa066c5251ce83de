/** dynamic (JSON) functions and conversions to and from it. */
import type { CompiledScalar, RowFn } from '../compiler/context.ts';
import { EngineError } from '../errors.ts';
import { parseDateTime } from '../values/time.ts';
import { fromInput, toDynamic, toKustoString, type KType, type Value } from '../values/types.ts';
import type { ScalarFunction } from './registry.ts';
import { stableStringify } from '../../util/stable-json.ts';
import { parseJson } from '../values/json.ts';
import { lookupParsedJson, NOT_PARSED } from '../values/json-columns.ts';

export const DYNAMIC_FUNCTIONS: Record<string, ScalarFunction> = {
  // A table's parsed JSON column when the row is the table row being read (values/json-columns.ts); otherwise
  // a one-entry cache per call site: todynamic(AdditionalFields).a, todynamic(AdditionalFields).b on the same
  // row parse the text once; a Map over every distinct text cost more in hashing than it saved (uids are unique).
  todynamic: ([a]) => {
    if (a!.type !== 'string') return (row, rt) => toDynamic(a!.fn(row, rt), a!.type);
    const parse = lastTextParser();
    const column = a!.column;
    if (column === undefined) return (row, rt) => parse(a!.fn(row, rt) as string);
    return (row, rt) => {
      const parsed = lookupParsedJson(rt.cursor, row, column);
      return parsed === NOT_PARSED ? parse(row[column] as string) : parsed;
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
  pack_array: (args) => {
    const list = args.slice(); // read at compile time: every argument is used
    return (row, rt) => list.map((a) => toDynamic(a.fn(row, rt), a.type));
  },
  bag_pack: (args) => {
    const list = args.slice(); // read at compile time: every argument is used
    return (row, rt) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i + 1 < list.length; i += 2) out[toKustoString(list[i]!.fn(row, rt), list[i]!.type)] = toDynamic(list[i + 1]!.fn(row, rt), list[i + 1]!.type);
      return out;
    };
  },
  set_union: (args) => {
    const list = args.slice(); // read at compile time: every argument is used
    return (row, rt) => {
      const seen = new Set<string>();
      const out: unknown[] = [];
      for (const a of list) {
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
    };
  },
  array_concat: (args) => {
    const list = args.slice(); // read at compile time: every argument is used
    return (row, rt) => list.flatMap((a) => {
      const v = a.fn(row, rt);
      return Array.isArray(v) ? v : [];
    });
  },
    // Sets keep the first array's order; members compare as JSON values.
  set_intersect: (args) => {
    const list = args.slice();
    return (row, rt) => {
      const arrays = list.map((a) => a.fn(row, rt));
      if (!arrays.every(Array.isArray)) return null;
      const others = (arrays.slice(1) as unknown[][]).map((arr) => new Set(arr.map((x) => JSON.stringify(x))));
      return distinctValues(arrays[0] as unknown[]).filter((x) => others.every((o) => o.has(JSON.stringify(x))));
    };
  },
  set_difference: (args) => {
    const list = args.slice();
    return (row, rt) => {
      const arrays = list.map((a) => a.fn(row, rt));
      if (!arrays.every(Array.isArray)) return null;
      const removed = new Set((arrays.slice(1) as unknown[][]).flat().map((x) => JSON.stringify(x)));
      return distinctValues(arrays[0] as unknown[]).filter((x) => !removed.has(JSON.stringify(x)));
    };
  },
  set_has_element: ([set, value]) => (row, rt) => {
    const arr = set!.fn(row, rt);
    if (!Array.isArray(arr)) return null;
    const needle = JSON.stringify(toDynamic(value!.fn(row, rt), value!.type));
    return arr.some((x) => JSON.stringify(x) === needle);
  },
  array_reverse: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    return Array.isArray(v) ? [...v].reverse() : null;
  },
  // A non-numeric element makes the sum null (array_sum page).
  array_sum: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) return null;
    return (v as number[]).reduce((t, x) => t + x, 0);
  },
  // Plain keys only: a JSONPath key ($.a.b) is refused rather than read as a literal key name.
  bag_has_key: ([bag, key]) => (row, rt) => {
    const b = bag!.fn(row, rt);
    const k = plainKey(key!.fn(row, rt), 'bag_has_key');
    return b !== null && typeof b === 'object' && !Array.isArray(b) ? Object.hasOwn(b, k) : null;
  },
  bag_remove_keys: ([bag, keys]) => (row, rt) => {
    const b = bag!.fn(row, rt);
    const ks = keys!.fn(row, rt);
    if (b === null || typeof b !== 'object' || Array.isArray(b) || !Array.isArray(ks)) return null;
    const removed = new Set(ks.map((k) => plainKey(k, 'bag_remove_keys')));
    return Object.fromEntries(Object.entries(b).filter(([k]) => !removed.has(k)));
  },
  // A key in several bags keeps its first value (the bag_merge page's example keeps A1 = 12).
  bag_merge: (args) => {
    const list = args.slice();
    return (row, rt) => {
      const out: Record<string, unknown> = {};
      for (const a of list) {
        const b = a.fn(row, rt);
        if (b === null || typeof b !== 'object' || Array.isArray(b)) continue;
        for (const [k, x] of Object.entries(b)) if (!Object.hasOwn(out, k)) out[k] = x;
      }
      return out;
    };
  },
  // array_index_of(array, lookup [, start [, length [, occurrence]]]): -1 when not found; a negative start counts
    // from the end; length -1 means to the end; occurrence counts matches from start.
    array_index_of: ([arr, x, startArg, lengthArg, occurrenceArg]) => (row, rt) => {
      const v = arr!.fn(row, rt);
      if (!Array.isArray(v)) return null;
      const needle = JSON.stringify(toDynamic(x!.fn(row, rt), x!.type));
      const start = startArg ? (startArg.fn(row, rt) as number | null) ?? 0 : 0;
      const length = lengthArg ? (lengthArg.fn(row, rt) as number | null) ?? -1 : -1;
      const occurrence = occurrenceArg ? (occurrenceArg.fn(row, rt) as number | null) ?? 1 : 1;
      if (occurrence < 1) return null;
      const from = start < 0 ? Math.max(0, v.length + start) : start;
      const to = length < 0 ? v.length : Math.min(v.length, from + length);
      let seen = 0;
      for (let i = from; i < to; i++) if (JSON.stringify(v[i]) === needle && ++seen === occurrence) return i;
      return -1;
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
        if (out.length === 1_048_576) break; // range page: "a maximum of 1,048,576 (2^20) results"
      }
      return out;
    },
    // extract_json(jsonPath, dataSource[, typeof(T)]) (docs: extract-json-function, jsonpath): the path subset the docs
    // list — `$`, `.name`, `['name']`, `[index]`. A constant path outside it fails at compile time. The document is
    // read as parse_json reads it, so text that is not JSON has no members (null). Without a type the result is a
    // string (the JSON text of a bag or array).
    extract_json: ([p, src], info) => {
      const constantPath = p!.constant ? constantString(p!) : undefined;
      const steps = constantPath === undefined ? undefined : compileJsonPath(constantPath);
      const pathOf = (row: Value[], rt: Parameters<RowFn>[1]) => steps ?? compileJsonPath(toKustoString(p!.fn(row, rt), p!.type));
      const convert = extractedAs(info.resultType);
      return (row, rt) => {
        const path = pathOf(row, rt);
        const text = src!.fn(row, rt);
        return convert(walkJsonPath(src!.type === 'dynamic' ? text : parsedDocument(text as string), path));
      };
    },
    // dynamic_to_json (docs: dynamic-to-json-function): bags with their keys sorted (ordinal), arrays in order, no
    // whitespace; a scalar is tostring() of it. Strings inside arrays and bags are JSON strings.
    dynamic_to_json: ([a]) => (row, rt) => {
      const v = a!.fn(row, rt);
      if (a!.type !== 'dynamic' || v === null || typeof v !== 'object') return toKustoString(v, a!.type);
      return stableStringify(v);
    },
    // array_slice(array, start, end) (docs: array-slice-function): both ends inclusive, negative values count from the
    // end, out-of-range indexes are clamped; not an array → null.
    array_slice: ([arr, s, e]) => (row, rt) => {
      const v = arr!.fn(row, rt);
      if (!Array.isArray(v)) return null;
      let start = s!.fn(row, rt) as number | null;
      let end = e!.fn(row, rt) as number | null;
      if (start === null || end === null) return null;
      if (start < 0) start += v.length;
      if (end < 0) end += v.length;
      start = Math.max(0, start);
      end = Math.min(v.length - 1, end);
      return start > end ? [] : v.slice(start, end + 1);
    },
    array_sort_asc: (args) => arraySort(args, 'array_sort_asc', 1),
    array_sort_desc: (args) => arraySort(args, 'array_sort_desc', -1),
    gettype: ([a]) => (row, rt) => {
      const v = a!.fn(row, rt);
      if (a!.type !== 'dynamic') return a!.type === 'real' ? 'real' : a!.type;
      if (v === null) return 'null';
      if (Array.isArray(v)) return 'array';
      if (typeof v === 'object') return 'dictionary';
      // The gettype page: gettype(parse_json('1')) is int (JSON integers in the int range), gettype(111) is long.
      // JSON.parse keeps no trace of '1.0' vs '1', so an integral JSON real reads as int here.
      if (typeof v === 'number') return Number.isInteger(v) ? (v >= -2147483648 && v <= 2147483647 ? 'int' : 'long') : 'real';
      return typeof v === 'boolean' ? 'bool' : 'string';
    },
  // zip(array1, array2, …) (docs: zip-function): element i holds element i of every array; shorter arrays give null
  // (the page: zip(["A", 1, 1.5], [{}, "B"]) is [["A",{}],[1,"B"],[1.5,null]]). An argument that is not an array
  // makes the result null (as the other array functions here answer for a non-array).
  zip: (args) => {
    const list = args.slice(); // read at compile time: every argument is used
    return (row, rt) => {
      const arrays = list.map((a) => a.fn(row, rt));
      if (!arrays.every(Array.isArray)) return null;
      const length = Math.max(0, ...(arrays as unknown[][]).map((a) => a.length));
      return Array.from({ length }, (_, i) => (arrays as unknown[][]).map((a) => (i < a.length ? a[i] : null)));
    };
  },
  // repeat(value, count) (docs: repeat-function): count copies of value; [] for 0, null for a negative count.
  // Datetimes and timespans are stored in the array as dynamic holds them here (ISO text, d.hh:mm:ss). A count above
  // 1,048,576 (range()'s cap) is refused: the page states no limit.
  repeat: ([v, n]) => (row, rt) => {
    const count = n!.fn(row, rt) as number | null;
    if (count === null || count === undefined) return null;
    if (count < 0) return null;
    if (count > 1_048_576) throw new EngineError(`repeat() with count ${count}: the local engine builds at most 1,048,576 elements and the docs state no limit`);
    return Array(Math.trunc(count)).fill(toDynamic(v!.fn(row, rt), v!.type));
  },
  // array_iff(condition_array, when_true, when_false) (docs: array-iff-function; alias array_iif): element-wise iff;
  // the result has condition_array's length; a true/false or numeric (non-zero is true) condition picks the element
  // at the same index of an array argument (null past its end) or a scalar argument itself; any other condition
  // value gives null. A condition that is not an array gives null. A property bag as when_true/when_false is
  // refused (the page describes arrays and primitive values).
  array_iff: ([c, t, f]) => {
    const pick = (arg: CompiledScalar, value: unknown, i: number): unknown => {
      if (arg.type !== 'dynamic') return toDynamic(value, arg.type);
      if (Array.isArray(value)) return i < value.length ? value[i] : null;
      if (value !== null && typeof value === 'object') throw new EngineError('array_iff() with a property bag as a result: the docs describe an array or a primitive value');
      return value ?? null;
    };
    return (row, rt) => {
      const cond = c!.fn(row, rt);
      if (!Array.isArray(cond)) return null;
      const whenTrue = t!.fn(row, rt);
      const whenFalse = f!.fn(row, rt);
      return cond.map((x, i) => {
        const b = typeof x === 'boolean' ? x : typeof x === 'number' ? x !== 0 : null;
        return b === null ? null : b ? pick(t!, whenTrue, i) : pick(f!, whenFalse, i);
      });
    };
  },
  // array_split(array, index) (docs: array-split-function): index is an integer or an array of them, negative ones
  // counting from the end; the result holds the ranges [0..i1), [i1..i2), … [iN..length). Indexes that (after that
  // conversion) fall outside 0..length or decrease are refused: the page does not say what they give. Not an array → null.
  array_split: ([arr, index]) => (row, rt) => {
    const v = arr!.fn(row, rt);
    if (!Array.isArray(v)) return null;
    const raw = index!.fn(row, rt);
    const list = Array.isArray(raw) ? raw : [raw];
    const cuts = list.map((x) => {
      if (typeof x !== 'number' || !Number.isInteger(x)) throw new EngineError(`array_split() with the index ${JSON.stringify(x)}: the docs describe integers`);
      return x < 0 ? v.length + x : x;
    });
    cuts.forEach((x, i) => {
      if (x < 0 || x > v.length || (i > 0 && x < cuts[i - 1]!)) throw new EngineError(`array_split() with the indexes ${JSON.stringify(list)} for ${v.length} elements: the docs do not say what indexes out of range or out of order give`);
    });
    const bounds = [0, ...cuts, v.length];
    return bounds.slice(1).map((end, i) => v.slice(bounds[i], end));
  },
  // base64_decode_toarray(text) (docs: base64-decode-toarray-function): the decoded bytes as longs. Text that is not
  // base64 (length not a multiple of 4, other characters) gives null; the base64_encode_fromarray page's example
  // decodes such a text and encodes the result to an empty string, which null gives (so would an empty array).
  base64_decode_toarray: ([a]) => (row, rt) => {
    const text = toKustoString(a!.fn(row, rt), a!.type);
    if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
    return [...Buffer.from(text, 'base64')];
  },
  // base64_encode_fromarray(bytes) (docs: base64-encode-fromarray-function): base64 of an array of integers 0–255;
  // any other array (or a non-array) is an invalid bytes array, which the page says gives null (an empty string).
  base64_encode_fromarray: ([a]) => (row, rt) => {
    const v = a!.fn(row, rt);
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 255)) return '';
    return Buffer.from(v as number[]).toString('base64');
  },
  };
  DYNAMIC_FUNCTIONS.parse_json = DYNAMIC_FUNCTIONS.todynamic!;
  // Deprecated aliases the docs list (parse-json-function: parsejson, toobject; bag-pack-function: pack_dictionary).
  DYNAMIC_FUNCTIONS.parsejson = DYNAMIC_FUNCTIONS.todynamic!;
  DYNAMIC_FUNCTIONS.toobject = DYNAMIC_FUNCTIONS.todynamic!;
  DYNAMIC_FUNCTIONS.extractjson = DYNAMIC_FUNCTIONS.extract_json!;
  // Deprecated alias the docs list (array-length-function).
  DYNAMIC_FUNCTIONS.arraylength = DYNAMIC_FUNCTIONS.array_length!;
  DYNAMIC_FUNCTIONS.pack = DYNAMIC_FUNCTIONS.bag_pack!;
  DYNAMIC_FUNCTIONS.pack_dictionary = DYNAMIC_FUNCTIONS.bag_pack!;
  DYNAMIC_FUNCTIONS.array_iif = DYNAMIC_FUNCTIONS.array_iff!;

  /** parseJson that remembers its last text: the same row's text read again is not parsed again. */
  function lastTextParser(): (text: string) => unknown {
    let lastText: string | undefined;
    let lastValue: unknown;
    return (text) => {
      if (text !== lastText) {
        lastValue = parseJson(text);
        lastText = text;
      }
      return lastValue;
    };
}

// One parser shared by every extract_json call site: queries pull several fields out of the same column
// (extractjson("$.a", AdditionalFields), extractjson("$.b", AdditionalFields), …), so a row's text is parsed once.
// Parsed values are never mutated, so sharing them is safe.
const parsedDocument = lastTextParser();

/** The value of a constant argument, or undefined when it cannot be read without a row. */
function constantString(arg: CompiledScalar): string | undefined {
  try {
    return toKustoString(arg.fn([], undefined as unknown as Parameters<RowFn>[1]), arg.type);
  } catch {
    return undefined;
  }
}

type PathStep = string | number;

/**
 * The JSONPath subset of the Kusto docs (jsonpath page): `$` then `.name`, `['name']` / `["name"]` (backslash escapes
 * the next character) and `[index]`. Wildcards, recursion (`..`), unions, slices, filters and `@` are refused.
 */
export function compileJsonPath(path: string): PathStep[] {
  const fail = (): never => {
    throw new EngineError(`not supported by the local engine: extract_json path ${JSON.stringify(path)}`);
  };
  const s = path.trim();
  if (s[0] !== '$') fail();
  const steps: PathStep[] = [];
  let i = 1;
  while (i < s.length) {
    if (s[i] === '.') {
      let j = i + 1;
      while (j < s.length && s[j] !== '.' && s[j] !== '[') j++;
      const name = s.slice(i + 1, j);
      if (!/^[^*@?()'",:\s\]]+$/.test(name)) fail();
      steps.push(name);
      i = j;
    } else if (s[i] === '[') {
      const quote = s[i + 1];
      if (quote === "'" || quote === '"') {
        let j = i + 2;
        let name = '';
        while (j < s.length && s[j] !== quote) {
          if (s[j] === '\\' && j + 1 < s.length) {
            name += s[j + 1];
            j += 2;
          } else name += s[j++];
        }
        if (s[j] !== quote || s[j + 1] !== ']') fail();
        steps.push(name);
        i = j + 2;
      } else {
        const m = /^\[\s*(\d+)\s*\]/.exec(s.slice(i));
        if (!m) fail();
        steps.push(Number(m![1]));
        i += m![0].length;
      }
    } else fail();
  }
  return steps;
}

/** Follows the path; a missing member, an index out of range or a step into a scalar gives undefined. */
function walkJsonPath(doc: unknown, steps: PathStep[]): unknown {
  let v = doc;
  for (const step of steps) {
    if (typeof step === 'number') {
      if (!Array.isArray(v) || step >= v.length) return undefined;
      v = v[step];
    } else {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, step)) return undefined;
      v = (v as Record<string, unknown>)[step];
    }
  }
  return v;
}

/** Converts an extracted JSON value to extract_json's result type; what does not convert is null. */
function extractedAs(type: KType): (v: unknown) => Value {
  if (type === 'dynamic') return (v) => v ?? null;
  if (type === 'string') return (v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));
  return (v) => {
    if (v === undefined || v === null || typeof v === 'object') return null;
    try {
      return fromInput(typeof v === 'boolean' && type !== 'bool' ? String(v) : v, type);
    } catch {
      return null;
    }
  };
}

const ENGINE_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?Z$/;

/** array_sort_asc/desc order of element kinds (docs): numbers (and datetimes/timespans), strings, guids, the rest. */
function kindRank(v: unknown): number {
  return typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : 2;
}

function compareElements(a: unknown, b: unknown): number {
  const ra = kindRank(a);
  const rb = kindRank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    // datetimes inside dynamic are ISO strings in this engine: compare them as instants (a whole second has no
    // fraction digits, so ordinal order would put 00:00:00.5Z before 00:00:00Z).
    if (ENGINE_DATETIME.test(a) && ENGINE_DATETIME.test(b)) return (parseDateTime(a) ?? 0) - (parseDateTime(b) ?? 0);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const sa = JSON.stringify(a);
  const sb = JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * array_sort_asc/desc(array[, nulls_last]) (docs: array-sort-asc-function, array-sort-desc-function): nulls go last
 * unless nulls_last is false; not an array → null. The several-array form returns several columns, which a scalar
 * function here cannot, so it fails at compile time.
 */
function arraySort(args: CompiledScalar[], name: string, direction: 1 | -1): RowFn {
  const nullsArg = args.length > 1 && args[args.length - 1]!.type === 'bool' ? args[args.length - 1]! : undefined;
  const arrays = nullsArg ? args.slice(0, -1) : args;
  if (arrays.length !== 1) throw new EngineError(`not supported by the local engine: ${name}() of several arrays`);
  const arr = arrays[0]!;
  return (row, rt) => {
    const v = arr.fn(row, rt);
    if (!Array.isArray(v)) return null;
    const nullsLast = nullsArg ? nullsArg.fn(row, rt) !== false : true;
    const nulls = v.filter((e) => e === null);
    const rest = v.filter((e) => e !== null).sort((a, b) => direction * compareElements(a, b));
    return nullsLast ? [...rest, ...nulls] : [...nulls, ...rest];
  };
}

function distinctValues(arr: unknown[]): unknown[] {
  const seen = new Set<string>();
  return arr.filter((x) => {
    const k = JSON.stringify(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function plainKey(key: Value, fn: string): string {
  const k = String(key ?? '');
  if (k.startsWith('$')) throw new EngineError(`${fn}() with the JSONPath key ${JSON.stringify(k)}: the local engine reads plain keys only`);
  return k;
}

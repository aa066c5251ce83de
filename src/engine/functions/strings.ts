/** String functions. */
import type { CompiledScalar, RowFn } from '../compiler/context.ts';
import { EngineError } from '../errors.ts';
import { re2 } from '../values/strings.ts';
import { fromInput, toKustoString, type Value } from '../values/types.ts';
import type { ScalarFunction } from './registry.ts';

/** Evaluates an argument as a string (Kusto converts most scalars implicitly in string functions). */
export function str(arg: CompiledScalar): (row: Value[], rt: Parameters<RowFn>[1]) => string {
  const { fn, type } = arg;
  return type === 'string' ? (fn as (r: Value[], rt: Parameters<RowFn>[1]) => string) : (row, rt) => toKustoString(fn(row, rt), type);
}

const num = (v: Value) => (v === null || v === undefined ? null : Number(v));

export const STRING_FUNCTIONS: Record<string, ScalarFunction> = {
  strcat: (args) => {
    const parts = args.map(str);
    return (row, rt) => parts.map((p) => p(row, rt)).join('');
  },
  strcat_delim: (args) => {
    const [d, ...rest] = args.map(str);
    return (row, rt) => rest.map((p) => p(row, rt)).join(d!(row, rt));
  },
  strlen: ([a]) => {
    const s = str(a!);
    return (row, rt) => [...s(row, rt)].length;
  },
  string_size: ([a]) => {
    const s = str(a!);
    return (row, rt) => Buffer.byteLength(s(row, rt), 'utf8');
  },
  tolower: ([a]) => {
    const s = str(a!);
    return (row, rt) => s(row, rt).toLowerCase();
  },
  toupper: ([a]) => {
    const s = str(a!);
    return (row, rt) => s(row, rt).toUpperCase();
  },
  substring: ([a, start, length]) => {
    const s = str(a!);
    return (row, rt) => {
      const chars = [...s(row, rt)];
      let from = num(start!.fn(row, rt)) ?? 0;
      if (from < 0) from = Math.max(0, chars.length + from);
      const len = length ? num(length.fn(row, rt)) : null;
      return chars.slice(from, len === null ? undefined : from + Math.max(0, len)).join('');
    };
  },
  // indexof(source, lookup[, start[, length[, occurrence]]]): a negative start counts from the end; length -1
  // means to the end; the match must lie inside [start, start+length); occurrence picks the n-th match.
  indexof: ([a, b, start, length, occurrence]) => {
    const s = str(a!);
    const n = str(b!);
    return (row, rt) => {
      const text = s(row, rt);
      const needle = n(row, rt);
      let from = start ? num(start.fn(row, rt)) ?? 0 : 0;
      if (from < 0) from = Math.max(0, text.length + from);
      if (from > text.length) return -1;
      const len = length ? num(length.fn(row, rt)) ?? -1 : -1;
      if (len < -1) return null;
      const end = len === -1 ? text.length : Math.min(text.length, from + len);
      const nth = occurrence ? num(occurrence.fn(row, rt)) ?? 1 : 1;
      if (nth <= 0) return null;
      // Each further occurrence is searched in a window of the same length starting after the previous match,
      // which is what the docs' example shows (indexof("abcdefgabcdefg", "cde", 1, 10, 2) is 9).
      let at = from - 1;
      let windowEnd = end;
      for (let found = 0; found < nth; found++) {
        const searchFrom = at + 1;
        if (found > 0) windowEnd = len === -1 ? text.length : Math.min(text.length, searchFrom + len);
        at = text.indexOf(needle, searchFrom);
        if (at < 0 || at + needle.length > windowEnd) return -1;
      }
      return at;
    };
  },
  countof: ([a, b, kind]) => {
    const s = str(a!);
    const n = str(b!);
    return (row, rt) => {
      const text = s(row, rt);
      const needle = n(row, rt);
      if (kind && String(kind.fn(row, rt)) === 'regex') {
        const m = re2(needle).matcher(text);
        let count = 0;
        while (m.find()) count++;
        return count;
      }
      if (!needle) return 0;
      let count = 0;
      // Plain-text matches may overlap (docs: countof("aaaa", "aa") is 3); regex matches do not.
      for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) count++;
      return count;
    };
  },
  replace_string: ([a, b, c]) => {
    const s = str(a!);
    const find = str(b!);
    const repl = str(c!);
    return (row, rt) => {
      const needle = find(row, rt);
      return needle ? s(row, rt).split(needle).join(repl(row, rt)) : s(row, rt);
    };
  },
  replace_regex: ([a, b, c]) => {
    const s = str(a!);
    const p = str(b!);
    const r = str(c!);
    return (row, rt) => re2(p(row, rt)).matcher(s(row, rt)).replaceAll(r(row, rt).replace(/\\(\d)/g, '$$$1'));
  },
  trim: ([p, a]) => trimmer(p!, a!, true, true),
  trim_start: ([p, a]) => trimmer(p!, a!, true, false),
  trim_end: ([p, a]) => trimmer(p!, a!, false, true),
  split: ([a, d, index]) => {
    const s = str(a!);
    const delim = str(d!);
    return (row, rt) => {
      const parts = s(row, rt).split(delim(row, rt));
      if (!index) return parts;
      const i = num(index.fn(row, rt));
      if (i === null) return null;
      const picked = parts[i < 0 ? parts.length + i : i];
      return picked === undefined ? [] : [picked];
    };
  },
  // extract(regex, group, source[, typeof(T)]): the bound result type is T; the captured text converts to it.
  extract: ([p, g, a], info) => {
    const pattern = str(p!);
    const s = str(a!);
    const convert = info.resultType === 'string' ? null : (text: string) => {
      try {
        return fromInput(text, info.resultType);
      } catch {
        return null;
      }
    };
    return (row, rt) => {
      const regex = pattern(row, rt);
      const m = re2(regex).matcher(s(row, rt));
      const group = num(g!.fn(row, rt)) ?? 0;
      checkGroup(regex, m.groupCount(), group);
      if (!m.find()) return convert ? null : '';
      const value = m.group(group) ?? '';
      return convert ? (value === '' ? null : convert(value)) : value;
    };
  },
  // extract_all(regex, [captureGroups,] text): every match; one selected group gives a flat array of strings,
  // several give an array per match. captureGroups lists group numbers and names (RE2 (?P<name>…) groups).
  extract_all: (args) => {
    const pattern = str(args[0]!);
    const s = str(args[args.length - 1]!);
    const selection = args.length === 3 ? args[1]! : null;
    return (row, rt) => {
      const m = re2(pattern(row, rt)).matcher(s(row, rt));
      const chosen = selection ? (selection.fn(row, rt) as unknown) : null;
      const groups = Array.isArray(chosen) ? (chosen as (number | string)[]) : null;
      const out: unknown[] = [];
      if (groups) for (const g of groups) checkGroup(pattern(row, rt), m.groupCount(), g, m.namedGroups);
      while (m.find()) {
        if (groups) {
          const values = groups.map((g) => m.group(typeof g === 'number' ? g : String(g)) ?? '');
          out.push(values.length === 1 ? values[0] : values);
          continue;
        }
        const count = m.groupCount();
        out.push(count === 0 ? m.group(0) : count === 1 ? m.group(1) : Array.from({ length: count }, (_, i) => m.group(i + 1)));
      }
      return out.length ? out : null;
    };
  },
  reverse: ([a]) => {
    const s = str(a!);
    return (row, rt) => [...s(row, rt)].reverse().join('');
  },
  format_bytes: ([a, precision, unit]) => (row, rt) => {
    const v = num(a!.fn(row, rt));
    if (v === null) return '';
    const digits = precision ? num(precision.fn(row, rt)) ?? 0 : 0;
    const units = ['Bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
    let index = Math.min(units.length - 1, v <= 0 ? 0 : Math.floor(Math.log(v) / Math.log(1024)));
    if (unit) {
      const wanted = units.findIndex((u) => u.toLowerCase() === String(unit.fn(row, rt)).toLowerCase());
      if (wanted >= 0) index = wanted;
    }
    const scaled = v / 1024 ** index;
    const text = digits > 0 ? String(Number(scaled.toFixed(digits))) : String(Math.round(scaled));
    return `${text} ${units[index]}`;
  },
  // strcat_array(array, delimiter): the elements as tostring() gives them (a null element is empty); not an array → "".
  strcat_array: ([arr, d]) => {
    const delim = str(d!);
    return (row, rt) => {
      const v = arr!.fn(row, rt);
      if (!Array.isArray(v)) return '';
      return v.map((e) => toKustoString(e, 'dynamic')).join(delim(row, rt));
    };
  },
  // indexof_regex(string, regex[, start[, length[, occurrence]]]) (docs: indexof-regex-function): RE2; null when start
  // < 0 (the docs' example gives null for start -1), length < -1 or occurrence < 0 (0 too, as indexof() here); -1
  // when not found. The regex examines `length` characters from `start` (-1: to the end); matches do not overlap.
  indexof_regex: ([a, p, start, length, occurrence]) => {
    const s = str(a!);
    const pattern = str(p!);
    return (row, rt) => {
      const text = s(row, rt);
      const from = start ? num(start.fn(row, rt)) : 0;
      const len = length ? num(length.fn(row, rt)) : -1;
      const nth = occurrence ? num(occurrence.fn(row, rt)) : 1;
      if (from === null || len === null || nth === null || from < 0 || len < -1 || nth < 0) return null;
      const re = re2(pattern(row, rt));
      if (nth === 0) return null;
      if (from > text.length) return -1;
      const window = text.slice(from, len === -1 ? undefined : from + len);
      const m = re.matcher(window);
      for (let found = 0; found < nth; found++) if (!m.find()) return -1;
      return from + m.start();
    };
  },
  base64_encode_tostring: ([a]) => {
    const s = str(a!);
    return (row, rt) => Buffer.from(s(row, rt), 'utf8').toString('base64');
  },
  // base64_decode_tostring (docs: base64-decode-tostring-function): bytes that are not UTF-8 give null (an empty
  // string); so does text that is not base64 (the docs say nothing about it; Node's decoder would skip bad characters).
  base64_decode_tostring: ([a]) => {
    const s = str(a!);
    return (row, rt) => decodeBase64Utf8(s(row, rt));
  },
  // translate(searchList, replacementList, source) (docs: translate-function): each character of source found in
  // searchList becomes the character at the same position of replacementList; when replacementList is shorter its
  // one character stands for all (translate("abc", "x", "abc") is "xxx"), and an empty one deletes them
  // (translate("abc", "", "ab") is ""); extra replacement characters are unused. Characters are code points.
  // Refused: a replacement list of 2 or more characters but fewer than searchList's (the last character repeated
  // and the list cycled both fit the page's one-character example), and a character listed twice in searchList
  // with different replacements (the page does not say which one wins).
  translate: ([from, to, source]) => {
    const f = str(from!);
    const t = str(to!);
    const s = str(source!);
    return (row, rt) => {
      const search = [...f(row, rt)];
      const replacement = [...t(row, rt)];
      if (replacement.length > 1 && replacement.length < search.length) throw new EngineError(`translate() with a replacement list of ${replacement.length} characters for ${search.length}: the docs show only an empty list, one character, or one per character (its last character repeated, or the list cycled, would both fit)`);
      const map = new Map<string, string>();
      search.forEach((c, i) => {
        const r = replacement.length === 0 ? '' : replacement[Math.min(i, replacement.length - 1)]!;
        if (map.has(c) && map.get(c) !== r) throw new EngineError(`translate() with ${JSON.stringify(c)} twice in the search list: the docs do not say which replacement wins`);
        map.set(c, r);
      });
      let out = '';
      for (const c of s(row, rt)) out += map.get(c) ?? c;
      return out;
    };
  },
  // replace_strings(text, lookups, rewrites) (docs: replace-strings-function): matches do not overlap and the earlier
  // lookup takes precedence: each lookup in turn claims its occurrences (left to right) that do not overlap a
  // claimed one — replace_strings("This is …", ['is', 'This'], ['was', 'This']) is "Thwas was …". A lookup that is not
  // a string is ignored; a rewrite that is not a string leaves its matches as they are (still claimed). Refused: an
  // empty lookup string and arrays of different lengths (the page does not say what they do).
  replace_strings: ([a, l, r]) => {
    const s = str(a!);
    return (row, rt) => {
      const text = s(row, rt);
      const lookups = l!.fn(row, rt);
      const rewrites = r!.fn(row, rt);
      if (!Array.isArray(lookups) || !Array.isArray(rewrites)) throw new EngineError('replace_strings() with lookups or rewrites that are not dynamic arrays: the docs describe arrays');
      if (lookups.length !== rewrites.length) throw new EngineError(`replace_strings() with ${lookups.length} lookups and ${rewrites.length} rewrites: the docs do not say what unpaired entries do`);
      const claims: { start: number; end: number; rewrite: string | null }[] = [];
      const overlaps = (start: number, end: number) => claims.some((c) => start < c.end && c.start < end);
      lookups.forEach((lookup, k) => {
        if (typeof lookup !== 'string') return;
        if (lookup === '') throw new EngineError('replace_strings() with an empty lookup string: the docs do not say what it matches');
        const rewrite = typeof rewrites[k] === 'string' ? (rewrites[k] as string) : null;
        for (let i = text.indexOf(lookup); i >= 0; ) {
          if (overlaps(i, i + lookup.length)) {
            i = text.indexOf(lookup, i + 1);
            continue;
          }
          claims.push({ start: i, end: i + lookup.length, rewrite });
          i = text.indexOf(lookup, i + lookup.length);
        }
      });
      claims.sort((x, y) => x.start - y.start);
      let out = '';
      let at = 0;
      for (const c of claims) {
        out += text.slice(at, c.start) + (c.rewrite ?? text.slice(c.start, c.end));
        at = c.end;
      }
      return out + text.slice(at);
    };
  },
  // strcmp(string1, string2) (docs: strcmp-function): -1, 0 or 1 (the page's example prints exactly these) by the
  // first differing UTF-16 code unit, a proper prefix sorting first (ordinal comparison).
  strcmp: ([a, b]) => {
    const s1 = str(a!);
    const s2 = str(b!);
    return (row, rt) => {
      const x = s1(row, rt);
      const y = s2(row, rt);
      return x < y ? -1 : x > y ? 1 : 0;
    };
  },
  // tohex(value[, minLength]) (docs: tohex-function): lowercase hex of an int (32-bit two's complement when negative,
  // tohex(toint(-256)) is ffffff00) or a long (64-bit, tohex(-256) is ffffffffffffff00), left-padded with zeros to
  // minLength (capped at 16; a longer result ignores it). Longs are doubles here: beyond ±2^53 the value was already
  // rounded before tohex() sees it.
  tohex: ([a, m]) => {
    const type = a!.type;
    if (type !== 'int' && type !== 'long') throw new EngineError(`tohex() of a ${type} value: the docs convert int and long only`);
    return (row, rt) => {
      const v = num(a!.fn(row, rt));
      if (v === null || !Number.isInteger(v)) return '';
      const hex = type === 'int' ? (v >>> 0).toString(16) : BigInt.asUintN(64, BigInt(v)).toString(16);
      const min = m ? num(m.fn(row, rt)) : null;
      return min === null ? hex : hex.padStart(Math.min(16, min), '0');
    };
  },
  tostring: ([a]) => str(a!),
  strrep: ([a, n, d]) => {
    const s = str(a!);
    return (row, rt) => Array(Math.max(0, num(n!.fn(row, rt)) ?? 0)).fill(s(row, rt)).join(d ? str(d)(row, rt) : '');
  },
};

// fatal: bytes that are not UTF-8 throw; ignoreBOM: a leading U+FEFF is kept, as decoded, not dropped.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A capture group a pattern does not have: the extract pages number groups from 0 (the whole match) to the last
 * '(' and say nothing of others, so it is an error naming the pattern, not RE2's exception or a guessed null.
 */
function checkGroup(regex: string, count: number, group: unknown, named: Record<string, number> = {}): void {
  if (typeof group === 'string') {
    if (Object.hasOwn(named, group)) return;
    throw new EngineError(`capture group '${group}' is not a named group of the regular expression ${JSON.stringify(regex)}`);
  }
  if (typeof group !== 'number' || !Number.isInteger(group) || group < 0 || group > count) {
    throw new EngineError(`capture group ${String(group)} does not exist in the regular expression ${JSON.stringify(regex)} (it has ${count})`);
  }
}

export function decodeBase64Utf8(text: string): string {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return '';
  try {
    return utf8.decode(Buffer.from(text, 'base64'));
  } catch {
    return '';
  }
}

/**
 * trim/trim_start/trim_end: the trim page "Removes all leading and trailing matches of the specified regular
 * expression" (trim("-", "--a--") is "a", not "-a-"); trim_start and trim_end are its two halves (their pages say
 * "leading match" / "trailing match" but show only single-match examples). So the leading part removed is the
 * longest run of consecutive matches from the start, `^(?:re)+`, and the trailing part the longest run that ends at
 * the end, the leftmost match of `(?:re)+$`. RE2 runs in linear time and a repeated empty match (trim("x*", s))
 * just ends the run, so neither can loop.
 */
function trimmer(pattern: CompiledScalar, arg: CompiledScalar, start: boolean, end: boolean): RowFn {
  const p = str(pattern);
  const s = str(arg);
  return (row, rt) => {
    const re = p(row, rt);
    let text = s(row, rt);
    if (start) {
      const m = re2(`^(?:${re})+`).matcher(text);
      if (m.lookingAt()) text = text.slice(m.end());
    }
    if (end) {
      const m = re2(`(?:${re})+$`).matcher(text);
      if (m.find()) text = text.slice(0, m.start());
    }
    return text;
  };
}
// Deprecated aliases the docs list (base64-encode-tostring-function, base64-decode-tostring-function).
STRING_FUNCTIONS.base64_encodestring = STRING_FUNCTIONS.base64_encode_tostring!;
STRING_FUNCTIONS.base64_decodestring = STRING_FUNCTIONS.base64_decode_tostring!;

/** Kusto's string operator semantics: term matching for `has`, case rules, regex via RE2. */
import { RE2JS } from 're2js';
import { EngineError } from '../errors.ts';

const WORD = /[\p{L}\p{N}]/u;
const isWordChar = (c: string | undefined) => c !== undefined && WORD.test(c);

/**
 * `has`: the needle must match whole terms. Kusto indexes terms as runs of alphanumeric characters, so a
 * match counts only where it does not continue a term on either side (`"North America" has "america"` is
 * true, `has "amer"` is false). Case-insensitive unless `cs`.
 */
export function hasTerm(haystack: string, needle: string, cs = false): boolean {
  if (needle === '') return true;
  const h = cs ? haystack : haystack.toLowerCase();
  const n = cs ? needle : needle.toLowerCase();
  const firstIsWord = isWordChar(n[0]);
  const lastIsWord = isWordChar(n[n.length - 1]);
  for (let i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + 1)) {
    const beforeOk = !firstIsWord || i === 0 || !isWordChar(h[i - 1]);
    const end = i + n.length;
    const afterOk = !lastIsWord || end === h.length || !isWordChar(h[end]);
    if (beforeOk && afterOk) return true;
  }
  return false;
}

export function hasPrefix(haystack: string, needle: string, cs = false): boolean {
  const h = cs ? haystack : haystack.toLowerCase();
  const n = cs ? needle : needle.toLowerCase();
  for (let i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + 1)) if (i === 0 || !isWordChar(h[i - 1])) return true;
  return false;
}

export function hasSuffix(haystack: string, needle: string, cs = false): boolean {
  const h = cs ? haystack : haystack.toLowerCase();
  const n = cs ? needle : needle.toLowerCase();
  for (let i = h.indexOf(n); i >= 0; i = h.indexOf(n, i + 1)) if (i + n.length === h.length || !isWordChar(h[i + n.length])) return true;
  return false;
}

const regexCache = new Map<string, RE2JS>();

/** RE2 semantics (as Kusto): no lookarounds or backreferences; `(?i)` and the other inline flags work. */
export function re2(pattern: string): RE2JS {
  let re = regexCache.get(pattern);
  if (!re) {
    try {
      re = RE2JS.compile(pattern);
    } catch (err) {
      throw new EngineError(`invalid regular expression ${JSON.stringify(pattern)} (RE2 syntax: no lookarounds or backreferences): ${(err as Error).message}`);
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

const testerCache = new Map<string, (text: string) => boolean>();

/**
 * A `matches regex` test. The pattern is always compiled by RE2 (so RE2's errors, e.g. for lookarounds, stay);
 * when it uses only constructs whose meaning is identical in RE2 and JS (no inline flags or groups other than
 * (?:, no \s/\p/\Q classes, no POSIX classes), V8's regex engine runs the match, which is many times faster
 * than re2js on the hot path. Anything else is matched by RE2.
 */
export function regexTester(pattern: string): (text: string) => boolean {
  let test = testerCache.get(pattern);
  if (test) return test;
  const compiled = re2(pattern);
  const sameInJs = !/\(\?(?!:)|\[\[:|\\[^.dDwWbB\/\-\\\[\](){}*+?|^$ntr]/.test(pattern);
  if (sameInJs) {
    const js = new RegExp(pattern);
    test = (text) => js.test(text);
  } else test = (text) => compiled.matcher(text).find();
  if (testerCache.size > 1000) testerCache.clear();
  testerCache.set(pattern, test);
  return test;
}

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

/**
 * Kusto's regex syntax (the regex page; RE2 in older revisions) read with RE2: no lookarounds or backreferences,
 * `(?i)` and the other inline flags work. Where the current page's syntax means something RE2 would read
 * differently without an error, the pattern is translated or refused:
 *   \d, \w, \s (and \D, \W, \S) are the page's Unicode classes; \u/\U escapes become \x{…}; the x flag (verbose
 *   mode, which RE2 lacks) is applied here with the page's scoping and dropped; (?-u:\b) is RE2's (ASCII) \b;
 *   class set operations (&&, --, ~~), nested classes and the \<, \>, \b{…} boundaries are refused.
 * \Q…\E (not on the current page) keeps RE2's meaning: the text up to the first \E, or to the end, is literal,
 * so it is copied untranslated for RE2 to quote.
 * \b keeps RE2's ASCII meaning (the page makes it Unicode): a word boundary next to a non-ASCII letter can differ.
 */
export function kustoRegex(pattern: string): string {
  let out = '';
  let inClass = false;
  // The x flag: on inside (?x:…), or from (?x) to the end of the enclosing group; each open group saves it.
  let verbose = false;
  const saved: boolean[] = [];
  const refuse = (what: string) => {
    throw new EngineError(`regular expression ${JSON.stringify(pattern)} uses ${what}, which the local engine (RE2) would read differently: not supported`);
  };
  // The page: "In verbose mode, whitespace is ignored everywhere, including within character classes", and
  // # starts a comment to the end of the line (the Rust regex parser the page describes skips both in classes too).
  const skipVerbose = (i: number) => {
    while (verbose && i < pattern.length) {
      if (WHITE_SPACE.test(pattern[i]!)) i++;
      else if (pattern[i] === '#') while (i < pattern.length && pattern[i++] !== '\n');
      else break;
    }
    return i;
  };
  for (let i = skipVerbose(0); i < pattern.length; i = skipVerbose(i + 1)) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      if (n === 'Q' && !inClass) {
        const end = pattern.indexOf('\\E', i + 2);
        const stop = end < 0 ? pattern.length : end + 2;
        out += pattern.slice(i, stop);
        i = stop - 1;
        continue;
      }
      if (UNICODE_CLASSES[n]) {
        const members = UNICODE_CLASS_MEMBERS[n];
        if (inClass && members === null) refuse(`\\${n} inside a character class`);
        out += inClass ? members : UNICODE_CLASSES[n];
      }
      else if (n === 'u' || n === 'U') {
        const m = /^\{([0-9a-fA-F]{1,8})\}/.exec(pattern.slice(i + 2)) ?? (n === 'u' ? /^([0-9a-fA-F]{4})/ : /^([0-9a-fA-F]{8})/).exec(pattern.slice(i + 2));
        if (!m) refuse(`\\${n} without a hex code`);
        out += `\\x{${m![1]}}`;
        i += m![0].length;
      } else if (n === '<' || n === '>') refuse(`the word boundary \\${n}`);
      else if (n === 'b' && pattern[i + 2] === '{') refuse('a \\b{…} boundary');
      else out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      const two = pattern.slice(i, i + 2);
      if (two === '&&' || two === '--' || two === '~~') refuse(`the class set operation ${two}`);
      if (c === '[' && pattern[i + 1] !== ':') refuse('a nested character class');
      if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i);
        if (end > 0) {
          out += pattern.slice(i, end + 2);
          i = end + 1;
          continue;
        }
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      // A ] right after [ or [^ is a literal.
      let j = skipVerbose(i + 1);
      if (pattern[j] === '^') {
        out += '^';
        j = skipVerbose(j + 1);
      }
      if (pattern[j] === ']') out += pattern[j++];
      i = j - 1;
      continue;
    }
    if (c === '(') {
      // (?-u:\b) is the ASCII word boundary, which is what RE2's \b is.
      const ascii = /^\(\?-u:(\\[bB])\)/.exec(pattern.slice(i));
      // A flag group that sets or clears x: RE2 has no x flag, so it is applied here and dropped from the group.
      const flags = /^\(\?([A-Za-z]*)(?:-([A-Za-z]*))?([:)])/.exec(pattern.slice(i));
      if (ascii) {
        out += ascii[1];
        i += ascii[0].length - 1;
      } else if (flags && /x/.test(flags[1]! + (flags[2] ?? ''))) {
        const [all, on, off, end] = flags as unknown as [string, string, string | undefined, ')' | ':'];
        if (end === ':') saved.push(verbose);
        if (on.includes('x')) verbose = true;
        if (off?.includes('x')) verbose = false;
        const set = on.replace(/x/g, '');
        const clear = off?.replace(/x/g, '');
        // A '-' that cleared only x goes too; a bare '-' stays for RE2 to reject, as the page's engine does.
        const rest = set + (off === undefined || (off !== '' && clear === '') ? '' : `-${clear}`);
        // (?x) alone sets nothing RE2 needs to see; (?x:…) is still a group.
        out += end === ':' ? `(?${rest}:` : rest ? `(?${rest})` : '';
        i += all.length - 1;
      } else {
        // Any other group, (?i) included: its ) restores the x flag saved here.
        saved.push(verbose);
        out += c;
      }
      continue;
    }
    if (c === ')') verbose = saved.pop() ?? verbose;
    out += c;
  }
  return out;
}

const WHITE_SPACE = /\p{White_Space}/u;
/**
 * The regex page's Unicode classes (UTS#18): \d is \p{Nd}; \w is "\p{Alphabetic} + \p{M} + \d + \p{Pc} +
 * \p{Join_Control}" (so Ⓐ, Alphabetic but So, is a word character, unlike RE2's ASCII \w); \s is White_Space.
 * re2js has no Join_Control property: it is U+200C and U+200D.
 */
const REGEX_WORD = '\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}';
const REGEX_SPACE = '\\t\\n\\x{0B}\\f\\r \\x{85}\\p{Z}';
const UNICODE_CLASSES: Record<string, string> = {
  d: '[\\p{Nd}]', D: '[^\\p{Nd}]', w: `[${REGEX_WORD}]`, W: `[^${REGEX_WORD}]`, s: `[${REGEX_SPACE}]`, S: `[^${REGEX_SPACE}]`,
};
/** The same classes inside a [...] class (a negated multi-property class cannot be nested there in RE2). */
const UNICODE_CLASS_MEMBERS: Record<string, string | null> = { d: '\\p{Nd}', D: '\\P{Nd}', w: REGEX_WORD, W: null, s: REGEX_SPACE, S: null };

/**
 * Which argument of a function is a regular expression (countof's third argument "regex" makes its second one a
 * pattern too; callers handle that case). Shared by the compiler and validation, so both check the same places.
 */
export const REGEX_ARGUMENT: Readonly<Record<string, number>> = { extract: 0, extract_all: 0, replace_regex: 1, indexof_regex: 1, trim: 0, trim_start: 0, trim_end: 0 };

export function re2(pattern: string): RE2JS {
  let re = regexCache.get(pattern);
  if (!re) {
    try {
      re = RE2JS.compile(kustoRegex(pattern));
    } catch (err) {
      if (err instanceof EngineError) throw err;
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
 * when it has a JS equivalent (`jsEquivalent`), V8's regex engine runs the match, which is many times faster
 * than re2js on the hot path. Anything else is matched by RE2.
 */
export function regexTester(pattern: string): (text: string) => boolean {
  let test = testerCache.get(pattern);
  if (test) return test;
  const compiled = re2(pattern);
  const js = jsEquivalent(kustoRegex(pattern));
  test = js ? (text) => js.test(text) : (text) => compiled.matcher(text).find();
  if (testerCache.size > 1000) testerCache.clear();
  testerCache.set(pattern, test);
  return test;
}

/**
 * A JS RegExp matching exactly the texts RE2 matches with the translated pattern, or null. Only plain syntax
 * qualifies: no inline flags or groups other than (?:, no \p/\x/\Q/digit escapes, no POSIX [:…:] classes.
 * The `u` flag makes JS read code points as RE2 does (. and [^a] take a whole astral character) and rejects what
 * it would read differently from RE2 (`\-`, a lone `{` or `]`), which then stays with RE2. RE2's . is anything
 * but \n, while JS's . also stops at \r, \u2028 and \u2029: it becomes [^\n]. A ] first in a class is a literal
 * in RE2 and is escaped for JS. \b is ASCII in both (JS without the `i` flag).
 */
export function jsEquivalent(translated: string): RegExp | null {
  if (/\(\?(?!:)|\[:|\\[^.bB\/\-\\\[\](){}*+?|^$ntr]/.test(translated)) return null;
  let source = '';
  let inClass = false;
  for (let i = 0; i < translated.length; i++) {
    const c = translated[i]!;
    if (c === '\\') source += c + translated[++i];
    else if (inClass) {
      if (c === ']') inClass = false;
      source += c;
    } else if (c === '[') {
      inClass = true;
      source += c;
      if (translated[i + 1] === '^') source += translated[++i];
      if (translated[i + 1] === ']') source += '\\' + translated[++i];
    } else source += c === '.' ? '[^\\n]' : c;
  }
  try {
    return new RegExp(source, 'u');
  } catch {
    return null;
  }
}

/**
 * The same text as V8's internalized (deduplicated) string. `===` between two internalized strings is a pointer
 * comparison; between an internalized one and a flat copy it is a call into the runtime that reads both texts.
 * Query literals come out of Kusto.Language as fresh copies, so `ActionType == "…"` paid that call on every row
 * (measured: 30 ms instead of 16 ms for 70,000 rows). Using the text as a property key interns it; index-like keys
 * ("123") are not interned that way and come back as equal copies, which is still correct.
 */
export function internedString(text: string): string {
  return Object.keys({ [text]: 0 })[0]!;
}

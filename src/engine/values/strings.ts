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
 *   \d, \w, \s (and \D, \W, \S) are the page's Unicode classes; \u/\U escapes become \x{…}; a leading (?x)
 *   (verbose mode) drops whitespace and # comments; (?-u:\b) is RE2's (ASCII) \b;
 *   class set operations (&&, --, ~~), nested classes and the \<, \>, \b{…} boundaries are refused.
 * \b keeps RE2's ASCII meaning (the page makes it Unicode): a word boundary next to a non-ASCII letter can differ.
 */
export function kustoRegex(pattern: string): string {
  // (?x) at the start: whitespace and # comments outside classes are not part of the pattern (verbose mode).
  if (pattern.startsWith('(?x)')) pattern = stripVerbose(pattern.slice(4));
  // (?-u:\b) is the ASCII word boundary, which is what RE2's \b is.
  pattern = pattern.replace(/\(\?-u:\\([bB])\)/g, '\\$1');
  let out = '';
  let inClass = false;
  const refuse = (what: string) => {
    throw new EngineError(`regular expression ${JSON.stringify(pattern)} uses ${what}, which the local engine (RE2) would read differently: not supported`);
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
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
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') out += pattern[++i];
      continue;
    }
    out += c;
  }
  return out;
}

/** The regex page's Unicode classes: \d is \p{Nd}, \w letters, marks, digits, connectors and joiners, \s White_Space. */
const REGEX_WORD = '\\p{L}\\p{Nl}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}';
const REGEX_SPACE = '\\t\\n\\x{0B}\\f\\r \\x{85}\\p{Z}';
const UNICODE_CLASSES: Record<string, string> = {
  d: '[\\p{Nd}]', D: '[^\\p{Nd}]', w: `[${REGEX_WORD}]`, W: `[^${REGEX_WORD}]`, s: `[${REGEX_SPACE}]`, S: `[^${REGEX_SPACE}]`,
};
/** The same classes inside a [...] class (a negated multi-property class cannot be nested there in RE2). */
const UNICODE_CLASS_MEMBERS: Record<string, string | null> = { d: '\\p{Nd}', D: '\\P{Nd}', w: REGEX_WORD, W: null, s: REGEX_SPACE, S: null };

function stripVerbose(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += c + (pattern[i + 1] ?? '');
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
    } else if (c === '#') {
      while (i < pattern.length && pattern[i] !== '\n') i++;
    } else if (!/\s/.test(c)) out += c;
  }
  return out;
}

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
 * when it uses only constructs whose meaning is identical in RE2 and JS (no inline flags or groups other than
 * (?:, no \s/\p/\Q classes, no POSIX classes), V8's regex engine runs the match, which is many times faster
 * than re2js on the hot path. Anything else is matched by RE2.
 */
export function regexTester(pattern: string): (text: string) => boolean {
  let test = testerCache.get(pattern);
  if (test) return test;
  const compiled = re2(pattern);
  const translated = kustoRegex(pattern);
  const sameInJs = !/\(\?(?!:)|\[\[:|\\[^.wWbB\/\-\\\[\](){}*+?|^$ntr]/.test(translated);
  if (sameInJs) {
    const js = new RegExp(translated);
    test = (text) => js.test(text);
  } else test = (text) => compiled.matcher(text).find();
  if (testerCache.size > 1000) testerCache.clear();
  testerCache.set(pattern, test);
  return test;
}

// The Kusto regex page's syntax translated for RE2 (re2js), and the JS fast path of `matches regex`.
// Source of the semantics: the current Kusto regex page, https://learn.microsoft.com/kusto/query/regex
// (MicrosoftDocs/dataexplorer-docs, data-explorer/kusto/query/regex.md), except \Q…\E, which the page does not
// list and which keeps RE2's meaning (the older re2 page: "The regular expression syntax supported by Kusto is
// that of the re2 library").
import { describe, expect, it } from 'vitest';
import { executeKql } from '../../src/engine/index.ts';
import { jsEquivalent, kustoRegex, re2, regexTester } from '../../src/engine/values/strings.ts';

const one = (q: string) => executeKql(q, { now: '2024-05-01T12:00:00Z' }).rows[0];

describe('\\Q…\\E quotes literally, as RE2 does', () => {
  it('text between \\Q and \\E is not translated (\\d stays the two characters \\ and d)', () => {
    expect(one('print a = @"a\\d" matches regex @"\\Q\\d\\E", b = "a5" matches regex @"\\Q\\d\\E"')).toEqual([true, false]);
    expect(one('print a = @"[\\w]" matches regex @"^\\Q[\\w]\\E$", b = "x" matches regex @"^\\Q[\\w]\\E$"')).toEqual([true, false]);
  });

  it('a \\Q without \\E quotes to the end of the pattern', () => {
    expect(one('print a = "x.y" matches regex @"\\Qx.y", b = "xzy" matches regex @"\\Qx.y"')).toEqual([true, false]);
  });

  it('after \\E the pattern is translated again (\\d is the page\'s Unicode digit)', () => {
    expect(one('print a = "a.b٣" matches regex @"^\\Qa.b\\E\\d$", b = "axb٣" matches regex @"^\\Qa.b\\E\\d$"')).toEqual([true, false]);
  });

  it('(?-u:\\b) and (?x) inside \\Q…\\E are literal text', () => {
    expect(one('print a = @"(?-u:\\b)" matches regex @"^\\Q(?-u:\\b)\\E$", b = "(?x) a" matches regex @"^\\Q(?x) a\\E$"')).toEqual([true, true]);
  });

  it('extract reads groups after a quoted part', () => {
    expect(one('print e = extract(@"\\Q(\\E(\\d+)", 1, "f(42)")')).toEqual(['42']);
  });
});

describe('(?x) verbose mode as the Kusto regex page defines it', () => {
  it('whitespace is ignored everywhere, including within character classes', () => {
    // The page: "In verbose mode, whitespace is ignored everywhere, including within character classes."
    expect(one('print a = "b" matches regex @"(?x)^[a b]$", b = " " matches regex @"(?x)^[a b]$"')).toEqual([true, false]);
    expect(one('print a = "a" matches regex @"(?x)^[ ^ b]$", b = "b" matches regex @"(?x)^[ ^ b]$"')).toEqual([true, false]);
  });

  it('escaped whitespace stays, inside and outside classes', () => {
    expect(one('print a = " " matches regex @"(?x)^[\\ ]$", b = "a b" matches regex @"(?x)^a\\ b$", c = "a b" matches regex @"(?x)^a\\x20b$"')).toEqual([true, true, true]);
  });

  it('# starts a comment up to the end of the line, inside classes too', () => {
    expect(one('print a = "ab" matches regex "(?x)^a # letter a\\n b$", b = "c" matches regex "(?x)^[a#b\\nc]$", c = "b" matches regex "(?x)^[a#b\\nc]$", d = "#" matches regex @"(?x)^\\#$"')).toEqual([true, true, false, true]);
  });

  it('the x flag is scoped like the other flags: mid-pattern, in a group, combined, cleared', () => {
    expect(one('print a = "a bc" matches regex "a b(?x) c", b = "ab c" matches regex "(?x:a b) c", c = "ab" matches regex "(?ix)A B", d = "a b" matches regex "(?x)a(?-x) b"')).toEqual([true, true, true, true]);
    expect(one('print a = "ab c" matches regex "(a(?x) b) c", b = "abc" matches regex "(a(?x) b) c"')).toEqual([true, false]);
  });

  it('kustoRegex drops the x flag and keeps the others', () => {
    expect(kustoRegex('(?ix) a b')).toBe('(?i)ab');
    expect(kustoRegex('(?x:a b)(?i-x: c)')).toBe('(?:ab)(?i: c)');
    expect(kustoRegex('(?x)(?-x)')).toBe('');
    // A dangling '-' is an error in the page's engine; it stays for RE2 to reject.
    expect(() => re2('(?x-)a')).toThrow(/invalid regular expression/);
  });
});

describe('the JS fast path of matches regex agrees with RE2', () => {
  it('. matches \\r, \\u2028 and \\u2029 (anything but \\n), as in RE2', () => {
    expect(one('print a = "a\\rb" matches regex "a.b", b = "a\\u2028b" matches regex "a.b", c = "a\\u2029b" matches regex "^a.b$", d = "a\\nb" matches regex "a.b"')).toEqual([true, true, true, false]);
  });

  it('. and negated classes match a whole astral code point', () => {
    expect(one('print a = "😀" matches regex "^.$", b = "😀" matches regex "^[^a]$", c = "x😀y" matches regex "^x.y$"')).toEqual([true, true, true]);
  });

  it('POSIX classes inside brackets work', () => {
    expect(one('print a = "a" matches regex "^[0[:alpha:]]$", b = "0" matches regex "^[0[:alpha:]]$", c = "[" matches regex "^[0[:alpha:]]$", d = "a]" matches regex "^[0[:alpha:]]$"')).toEqual([true, true, false, false]);
  });

  it('a ] first in a class is a literal', () => {
    expect(one('print a = "]" matches regex "^[]a]$", b = "b" matches regex "^[^]a]$", c = "]" matches regex "^[^]a]$"')).toEqual([true, true, false]);
  });

  it('regexTester gives RE2\'s answer for every pattern and text tried', () => {
    const patterns = [
      'a.b', '^.$', '^..$', '.*', '^[^a]$', '[0[:alpha:]]', '^[]a]$', '\\.(?:dll|exe)$', 'a|b.c', '^a.*z$', 'x{2,}', 'x{,2}',
      '\\bfoo\\b', '\\Bo', 'a\\-b', '[a\\-z]', '^\\w+$', '[^\\n]', '\\r.', '(a)(?:b)?c', '\\{', 'a{2}', '[.]', '\\/', 'é.', '^😀$', '[😀-😂]',
      '^$', 'a$', '^*a', '[\\]]', '[^]a]', '}', 'a]', '(?i)A.B', '\\d.',
    ];
    const texts = ['a\nb', 'a\rb', 'a\u2028b', 'a\u2029b', 'a.b', 'axb', '😀', '😁', 'a', ']', 'b', 'x.exe', 'foo bar', 'a-b', 'xx', 'x{,2}', '\r\n', 'ac', 'abc', '{', 'aa', '/', 'é😀', 'Ⓐ', 'a😀z', '', 'a\n', '}', 'a]', '\uD83D', 'x\uDE00'];
    for (const p of patterns) {
      const tester = regexTester(p);
      for (const t of texts) expect([p, t, tester(t)]).toEqual([p, t, re2(p).matcher(t).find()]);
    }
  });

  it('common plain patterns keep the fast path; the ones JS would read differently do not', () => {
    for (const p of ['\\.(?:dll|exe)$', 'a.b', '^foo.*bar$', '[a-z0-9_]+@', 'cmd\\.exe|powershell', '^[]a]$']) expect(jsEquivalent(kustoRegex(p)), p).toBeInstanceOf(RegExp);
    for (const p of ['(?i)a', '[0[:alpha:]]', '\\d', '\\Qa\\E', 'a\\-b', 'x{,2}', '\\x41']) expect(jsEquivalent(kustoRegex(p)), p).toBeNull();
  });
});

describe('\\w follows the Kusto regex page (UTS#18 word characters), not RE2\'s ASCII \\w', () => {
  // The page's "Perl character classes (Unicode friendly)" table: \w is
  // "Word character (\p{Alphabetic} + \p{M} + \d + \p{Pc} + \p{Join_Control})".
  it('Ⓐ (U+24B6, Alphabetic but So) is a word character', () => {
    expect(one('print a = "Ⓐ" matches regex @"^\\w$", b = "Ⓐ" matches regex @"^\\W$", c = "Ⓐ" matches regex @"^[\\w]$", d = "Ⓐ" matches regex @"^[[:word:]]$"')).toEqual([true, false, true, false]);
  });

  it('marks, connector punctuation and the join controls are word characters; symbols and spaces are not', () => {
    const w = regexTester('^\\w$');
    expect(['a', 'é', '٣', '_', '\u203F', '\u0301', '\u200C', '\u200D', 'Ⓐ'].map(w)).toEqual(Array(9).fill(true));
    expect(['-', ' ', '€', '😀', '\u00A0'].map(w)).toEqual(Array(5).fill(false));
  });
});

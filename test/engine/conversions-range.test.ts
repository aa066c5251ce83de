/**
 * Review findings on numeric conversions, trim and mv-expand typing, one repro each. Expected values follow the
 * Kusto documentation of each construct; the comments say which page.
 */
import { describe, expect, it } from 'vitest';
import { executeKql } from '../../src/engine/index.ts';

const result = (q: string) => executeKql(q, { now: '2024-05-01T12:00:00Z' });
const rows = (q: string) => result(q).rows;
const one = (q: string) => rows(q)[0];

describe('int and long conversions stay in their type\'s range', () => {
  // toint page: "Converts the input to an integer value (signed 32-bit) … If the conversion is successful, the result
  // is an integer. Otherwise, the result is null." tolong page: "a long (signed 64-bit)", same rule.
  it('toint of text past 32 bits is null (a failed conversion); of a number past 32 bits, an error rather than a guess', () => {
    const out = result('print b = toint("2147483648"), c = toint("-2147483649")');
    expect(out.columns.map((c) => c.type)).toEqual(['int', 'int']);
    expect(out.rows).toEqual([[null, null]]);
    // The pages do not say what a number out of range gives (a third-party emulator reports wrapping/saturation).
    for (const q of ['print a = toint(2147483648)', 'print a = toint(-2147483649)', 'print d = toint(1e10)']) expect(() => one(q), q).toThrow(/outside the int range/);
  });

  it('the int bounds themselves convert', () => {
    expect(one('print a = toint(2147483647), b = toint(-2147483648), c = toint("2147483647"), d = toint(" -2147483648 ")')).toEqual([2147483647, -2147483648, 2147483647, -2147483648]);
  });

  it('tolong of text at 2^63 or beyond is null, of a real there an error (longs are doubles here: 2^63 is the first one out of range)', () => {
    expect(one('print d = tolong("9223372036854775808"), e = tolong("-9223372036854775809")')).toEqual([null, null]);
    for (const q of ['print a = tolong(1e20)', 'print b = tolong(9.3e18)', 'print c = tolong(-1e19)']) expect(() => one(q), q).toThrow(/outside the long range/);
    // Integer text is compared exactly: 2^63−1 and −2^63 are longs (the first then rounds to the double 2^63).
    expect(one('print a = tolong("9223372036854775807"), b = tolong("-9223372036854775808"), c = tolong(1e18)')).toEqual([2 ** 63, -(2 ** 63), 1e18]);
  });

  it('a real still truncates toward zero (toint page: "the result truncate to only the integer portion", toint(2.3) is 2)', () => {
    expect(one('print a = toint(2.9), b = toint(-2.9), c = tolong(-2.9), d = toint(2.3)')).toEqual([2, -2, -2, 2]);
    // An integer has no negative zero: toint(-0.5) is 0, not JavaScript's -0 from Math.trunc.
    expect(Object.is(one('print a = toint(-0.5)')![0], 0)).toBe(true);
  });

  it('extract(…, typeof(int)) of digits past 32 bits is null; typeof(long) keeps them', () => {
    expect(one('print a = extract(@"(\\d+)", 1, "99999999999", typeof(int)), b = extract(@"(\\d+)", 1, "99999999999", typeof(long))')).toEqual([null, 99999999999]);
  });

  it('mv-expand to typeof(int) of an element past 32 bits is null', () => {
    // mv-expand page: "Array elements that don't conform with the declared type become null values."
    expect(rows('print l = dynamic([3000000000, 5]) | mv-expand l to typeof(int)')).toEqual([[null], [5]]);
  });

  it('an input table value outside an int column\'s range is refused, as other non-int values are', () => {
    expect(() => executeKql('T', { now: '2024-05-01T12:00:00Z', tables: { T: { columns: [{ name: 'x', type: 'int' }], rows: [[3000000000]] } } })).toThrow(/3000000000 is outside the int range/);
  });
});

describe('a datetime converts to its ticks since 0001-01-01', () => {
  // datetime page: "a particular date is the number of ticks since 12:00 midnight, January 1, 0001 … a ticks value of
  // 31241376000000000 represents the date, Friday, January 01, 0100 12:00:00 midnight."
  it('tolong, toreal and todouble of a datetime count from 0001-01-01, not from the engine\'s own origin', () => {
    expect(one('print a = tolong(datetime(2020-01-01)), b = tolong(datetime(2024-01-01)), c = tolong(datetime(0100-01-01))')).toEqual([637134336000000000, 638396640000000000, 31241376000000000]);
    expect(one('print a = toreal(datetime(2024-01-01)), b = todouble(datetime(2020-01-01))')).toEqual([638396640000000000, 637134336000000000]);
  });

  it('toint of a datetime is out of range (no date after 0001-01-01 06:00 has ticks that fit 32 bits)', () => {
    expect(() => one('print a = toint(datetime(2020-01-01))')).toThrow(/outside the int range/);
  });

  it('a timespan converts to its ticks with no origin (toint of one past 32 bits of ticks is out of range, as above)', () => {
    expect(one('print a = tolong(1d), b = toint(1s), c = toreal(1tick)')).toEqual([864000000000, 10000000, 1]);
    expect(() => one('print d = toint(1d)')).toThrow(/outside the int range/);
  });
});

describe('trim removes every leading and trailing match', () => {
  // trim page: "Removes all leading and trailing matches of the specified regular expression."
  it('a one-character pattern trims a run of it', () => {
    expect(one('print a = trim("-", "--a--"), b = trim(" ", "  x  "), c = trim_start("-", "--a--"), d = trim_end("[.]", "a.b..")')).toEqual(['a', 'x', 'a--', 'a.b']);
  });

  it('a pattern that can match empty ends the run instead of looping', () => {
    expect(one('print a = trim("x*", "xxaxx"), b = trim("x*", "abc"), c = trim_end("x?", "axx"), d = trim("", "abc")')).toEqual(['a', 'abc', 'a', 'abc']);
  });

  it('matches inside the text stay', () => {
    expect(one('print a = trim("ab", "ababXabYabab"), b = trim("1", "11"), c = trim_end("[.]", "..")')).toEqual(['XabY', '', '']);
  });
});

describe('mv-expand to typeof(T) casts only', () => {
  // mv-expand page: "The operation of applying type is cast-only and doesn't include parsing or type-conversion.
  // Array elements that don't conform with the declared type become null values."
  it('a fractional number is no long: null, not truncated', () => {
    expect(rows('print l = dynamic([1, 2.5, -3]) | mv-expand l to typeof(long)')).toEqual([[1], [null], [-3]]);
  });

  it('to typeof(real) takes whole and fractional numbers alike', () => {
    expect(rows('print l = dynamic([1, 2.5, "3"]) | mv-expand l to typeof(real)')).toEqual([[1], [2.5], [null]]);
  });
});

describe('a datatable value its column type cannot hold', () => {
  it('is an error naming the column and the value position', () => {
    expect(() => one('datatable(x:int)[3000000000]')).toThrow(/datatable column x: 3000000000 is outside the int range \(signed 32-bit\) at 1:18/);
  });
});

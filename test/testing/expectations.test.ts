// Expectation matching: how a test's `expect` block is compared with the engine's JSON rows.
import { describe, expect, it } from 'vitest';
import { checkExpectations, inEmittedDialect, sameValue } from '../../src/testing/expectations.ts';
import { parseCsv } from '../../src/testing/fixtures.ts';
import type { EngineColumn } from '../../src/engine/index.ts';

const columns: EngineColumn[] = [
  { name: 'Timestamp', type: 'datetime' },
  { name: 'DeviceName', type: 'string' },
  { name: 'Count', type: 'long' },
  { name: 'Window', type: 'timespan' },
  { name: 'Extra', type: 'dynamic' },
];
const rows = [
  ['2026-03-01T11:00:00Z', 'ws1', 3, '01:00:00', { a: 1, b: [1, 2] }],
  ['2026-03-01T11:30:00.5Z', 'ws2', 7, '00:05:00', null],
];

describe('sameValue', () => {
  it('compares datetimes as instants, whatever the ISO spelling', () => {
    expect(sameValue('2026-03-01T11:00:00.0000000Z', '2026-03-01T11:00:00Z', 'datetime')).toBe(true);
    expect(sameValue('2026-03-01 11:00:00', '2026-03-01T11:00:00Z', 'datetime')).toBe(true);
    expect(sameValue('2026-03-01T11:00:01Z', '2026-03-01T11:00:00Z', 'datetime')).toBe(false);
  });

  it('compares timespans by length and numbers numerically', () => {
    expect(sameValue('1h', '01:00:00', 'timespan')).toBe(true);
    expect(sameValue('30m', '01:00:00', 'timespan')).toBe(false);
    expect(sameValue(3, 3, 'long')).toBe(true);
    expect(sameValue('3', 3, 'long')).toBe(true);
    expect(sameValue(4, 3, 'long')).toBe(false);
  });

  it('compares dynamic values deeply, ignoring key order but not array order', () => {
    expect(sameValue({ b: [1, 2], a: 1 }, { a: 1, b: [1, 2] }, 'dynamic')).toBe(true);
    expect(sameValue({ a: 1, b: [2, 1] }, { a: 1, b: [1, 2] }, 'dynamic')).toBe(false);
  });

  it('a number matches only a number, or its own text in a string column: null, "" and booleans are not 0 or 1', () => {
    expect(sameValue(0, null, 'int')).toBe(false);
    expect(sameValue(0, '', 'string')).toBe(false);
    expect(sameValue(1, '1.0', 'string')).toBe(false);
    expect(sameValue(1, '1', 'string')).toBe(true);
    expect(sameValue(true, 1, 'int')).toBe(false);
    expect(sameValue('', 0, 'long')).toBe(false);
    expect(sameValue(0.1 + 0.2, 0.3, 'real')).toBe(true);
  });

  it('an object matches the same JSON held as text (AdditionalFields on Defender) or as a dynamic (Sentinel)', () => {
    expect(sameValue({ n: 2, user_agent: 'curl/1' }, '{"user_agent":"curl/1","n":2}', 'string')).toBe(true);
    expect(sameValue({ n: 2 }, { n: 2 }, 'dynamic')).toBe(true);
    expect(sameValue({ n: 2 }, '{"n":3}', 'string')).toBe(false);
  });

  it('an expected null matches a null or empty value only', () => {
    expect(sameValue(null, null, 'string')).toBe(true);
    expect(sameValue(null, '', 'string')).toBe(true);
    expect(sameValue(null, 'ws1', 'string')).toBe(false);
  });
});

describe('checkExpectations', () => {
  it('passes when count, contains, excludes and rows all hold', () => {
    expect(checkExpectations({
      count: 2,
      contains: [{ DeviceName: 'ws2', Count: 7 }],
      excludes: [{ DeviceName: 'ws3' }, { DeviceName: 'ws1', Count: 7 }],
      rows: [{ DeviceName: 'ws1' }, { DeviceName: 'ws2', Timestamp: '2026-03-01T11:30:00.500Z' }],
    }, columns, rows)).toEqual([]);
  });

  it('reports a wrong count with expected and actual numbers', () => {
    expect(checkExpectations({ count: 1 }, columns, rows)).toEqual([{ message: 'expected 1 row(s), got 2', expected: 1, actual: 2 }]);
  });

  it('a contains row must match on every given column of one row', () => {
    // ws1 exists and Count 7 exists, but not in the same row.
    const [m] = checkExpectations({ contains: [{ DeviceName: 'ws1', Count: 7 }] }, columns, rows);
    expect(m!.message).toBe('expected row not found');
    expect(m!.expected).toEqual({ DeviceName: 'ws1', Count: 7 });
    expect(m!.actual).toHaveLength(2);
  });

  it('an excludes row that is returned is reported with the offending row', () => {
    const [m] = checkExpectations({ excludes: [{ DeviceName: 'ws2' }] }, columns, rows);
    expect(m!.message).toBe('row that must not appear was returned');
    expect(m!.actual).toMatchObject({ DeviceName: 'ws2', Count: 7 });
  });

  it('rows are exact and ordered', () => {
    const [m] = checkExpectations({ rows: [{ DeviceName: 'ws2' }, { DeviceName: 'ws1' }] }, columns, rows);
    expect(m!.message).toMatch(/order matters/);
    expect(checkExpectations({ rows: [{ DeviceName: 'ws1' }] }, columns, rows)).toHaveLength(1);
  });

  it('an expectation on a column the query does not return says so and lists the real columns', () => {
    const out = checkExpectations({ contains: [{ DeviceNme: 'ws1' }] }, columns, rows);
    expect(out[0]!.message).toBe('expectation names column(s) the query does not return: DeviceNme (it returns: Timestamp, DeviceName, Count, Window, Extra)');
  });
});

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks; empty cells are absent', () => {
    const text = 'DeviceName,Url,Note\r\nws1,"http://x/a,b","say ""hi"""\r\nws2,,"two\nlines"\r\n\r\n';
    expect(parseCsv(text)).toEqual([
      { DeviceName: 'ws1', Url: 'http://x/a,b', Note: 'say "hi"' },
      { DeviceName: 'ws2', Note: 'two\nlines' },
    ]);
  });

  it('a row with the wrong number of fields names its line', () => {
    expect(() => parseCsv('a,b\n1,2\n3\n', 'rows.csv')).toThrow('rows.csv:3: 1 fields, header has 2');
  });
});

describe('inEmittedDialect', () => {
  const sentinelColumns: EngineColumn[] = [{ name: 'TimeGenerated', type: 'datetime' }, { name: 'DeviceName', type: 'string' }];
  const sentinelRows = [['2026-03-01T11:00:00Z', 'ws1']];

  it('lets an expectation written with Timestamp match the TimeGenerated column of the Sentinel build', () => {
    const expectation = { contains: [{ Timestamp: '2026-03-01T11:00:00Z', DeviceName: 'ws1' }], excludes: [{ Timestamp: '2026-03-01T10:00:00Z' }] };
    expect(checkExpectations(expectation, sentinelColumns, sentinelRows)[0]!.message).toMatch(/does not return: Timestamp/);
    expect(checkExpectations(inEmittedDialect(expectation, sentinelColumns, { Timestamp: 'TimeGenerated' }), sentinelColumns, sentinelRows)).toEqual([]);
  });

  it('leaves the expectation alone when the query returns the source column itself', () => {
    const expectation = { contains: [{ Timestamp: 'x' }] };
    expect(inEmittedDialect(expectation, columns, { Timestamp: 'TimeGenerated' })).toBe(expectation);
  });
});

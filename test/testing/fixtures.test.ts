import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLibrary } from '../../src/detection/library.ts';
import { runDetectionTests } from '../../src/testing/run-tests.ts';
import { VALID_DETECTION } from '../validate/helpers.ts';

function run(tests: string, extraFiles: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'dac-fixtures-'));
  for (const [name, content] of Object.entries(extraFiles)) writeFileSync(join(dir, name), content);
  writeFileSync(join(dir, 'd.yaml'), `${VALID_DETECTION}tests:\n${tests}`);
  const library = loadLibrary([join(dir, 'd.yaml')]);
  expect(library.diagnostics).toEqual([]);
  return runDetectionTests(library.detections);
}

const curlRow = '{Timestamp: 2026-01-01T10:00:00Z, DeviceId: d1, DeviceName: ws1, ReportId: 7, ActionType: HttpConnectionInspected, RemoteIP: 1.2.3.4, AdditionalFields: {user_agent: "curl/8.0"}}';

describe('fixtures', () => {
  it('AdditionalFields written as a YAML object works on both platforms (string on Defender, dynamic on Sentinel)', () => {
    const results = run(`  - name: fires\n    now: 2026-01-01T12:00:00Z\n    tables:\n      DeviceNetworkEvents:\n        - ${curlRow}\n    expect: {count: 1, contains: [{DeviceName: ws1, UserAgent: "curl/8.0"}]}\n`);
    expect(results.map((r) => [r.platform, r.status])).toEqual([['defender', 'passed'], ['sentinel', 'passed']]);
  });

  it('an unknown column is an error at its line and column, with a suggestion', () => {
    const [r] = run(`  - name: typo\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvents:\n        - {DeviceNme: ws1}\n    expect: {count: 0}\n`);
    expect(r!.status).toBe('error');
    expect(r!.message).toMatch(/d\.yaml:43:12: DeviceNetworkEvents has no column DeviceNme on defender \(did you mean `DeviceName`\?\)/);
  });

  it('a value of the wrong type is an error naming column and type', () => {
    const [r] = run(`  - name: wrong type\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvents:\n        - {RemotePort: eighty}\n    expect: {count: 0}\n`);
    expect(r!.message).toMatch(/DeviceNetworkEvents\.RemotePort is int on defender: expected a number, got "eighty"/);
  });

  it('an object or a boolean in a plain string column is an error; AdditionalFields still takes an object', () => {
    const [obj] = run(`  - name: object\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvents:\n        - {DeviceName: {a: {b: 1}}}\n    expect: {count: 0}\n`);
    expect(obj!.message).toMatch(/DeviceNetworkEvents\.DeviceName is string on defender: expected text, got an object \(only JSON columns such as AdditionalFields take one\)/);
    const [bool] = run(`  - name: bool\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvents:\n        - {DeviceId: true}\n    expect: {count: 0}\n`);
    expect(bool!.message).toMatch(/DeviceNetworkEvents\.DeviceId is string on defender: expected text, got true/);
  });

  it('a fraction in an int column is an error, not truncated', () => {
    const [r] = run(`  - name: fraction\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvents:\n        - {RemotePort: 80.9}\n    expect: {count: 0}\n`);
    expect(r!.status).toBe('error');
    expect(r!.message).toMatch(/DeviceNetworkEvents\.RemotePort is int on defender: expected a whole number, got 80\.9/);
  });

  it('rows can come from .jsonl and .csv files next to the detection', () => {
    const jsonl = JSON.stringify({ Timestamp: '2026-01-01T10:00:00Z', DeviceId: 'd1', DeviceName: 'ws1', ReportId: 7, ActionType: 'HttpConnectionInspected', AdditionalFields: { user_agent: 'curl/7' } }) + '\n';
    const csv = 'Timestamp,DeviceId,DeviceName,ReportId,ActionType,AdditionalFields\n2026-01-01T10:00:00Z,d2,ws2,8,HttpConnectionInspected,"{""user_agent"":""curl/8""}"\n';
    const results = run(`  - name: jsonl\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables: {DeviceNetworkEvents: {file: rows.jsonl}}\n    expect: {count: 1}\n  - name: csv\n    now: 2026-01-01T12:00:00Z\n    platforms: [sentinel]\n    tables: {DeviceNetworkEvents: {file: rows.csv}}\n    expect: {contains: [{DeviceName: ws2, UserAgent: curl/8}]}\n`, { 'rows.jsonl': jsonl, 'rows.csv': csv });
    expect(results.map((r) => r.status)).toEqual(['passed', 'passed']);
  });

  it('a test that lacks a table the query reads fails with a clear message', () => {
    const [r] = run(`  - name: no rows\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    expect: {count: 0}\n`);
    expect(r!.status).toBe('error');
    expect(r!.message).toMatch(/reads table DeviceNetworkEvents, but the test provides no rows for it/);
  });

  it('a failing expectation reports expected vs actual and a per-stage trace showing where rows were dropped', () => {
    const [r] = run(`  - name: wrong\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvents:\n        - ${curlRow.replace('curl/8.0', 'Mozilla/5.0')}\n    expect: {count: 1}\n`);
    expect(r!.status).toBe('failed');
    expect(r!.message).toMatch(/expected 1 row\(s\), got 0/);
    const dropped = r!.trace!.find((t) => t.rowsIn > 0 && t.rowsOut === 0)!;
    expect(dropped.operator).toMatch(/where UserAgent startswith "curl\/"/);
    expect(dropped.line).toBe(17);
    // Samples are rows keyed by column, with datetimes as ISO-8601 text (never the engine's internal ticks).
    const read = r!.trace![0]!;
    expect(read.sample[0]).toMatchObject({ DeviceName: 'ws1', Timestamp: '2026-01-01T10:00:00Z' });
    const extended = r!.trace!.find((t) => /extend UserAgent/.test(t.operator))!;
    expect(extended.sample).toEqual([expect.objectContaining({ UserAgent: 'Mozilla/5.0' })]);
  });
});

describe('externaldata fixtures', () => {
  const URL = 'https://lists.example.org/bad-ua.csv';
  const query = `query: |\n  let Bad = externaldata(BadAgent: string, Weight: long)[@"${URL}"] with (format="csv");\n  DeviceNetworkEvents\n  | extend UserAgent = tostring(todynamic(AdditionalFields).user_agent)\n  | join kind=inner (Bad) on $left.UserAgent == $right.BadAgent\n  | project Timestamp, DeviceId, DeviceName, ReportId, RemoteIP, UserAgent, Weight\n`;
  const withList = VALID_DETECTION.replace(/query: \|\n(  .*\n)+/, query);
  const runList = (externaldata: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'dac-fixtures-'));
    const text = `${withList}tests:\n  - name: list\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables: {DeviceNetworkEvents: [${curlRow}]}\n    externaldata:\n${externaldata}    expect: {contains: [{DeviceName: ws1, Weight: 5}]}\n`;
    writeFileSync(join(dir, 'd.yaml'), text);
    const library = loadLibrary([join(dir, 'd.yaml')]);
    expect(library.diagnostics).toEqual([]);
    return runDetectionTests(library.detections)[0]!;
  };
  /** `line:column` of the first occurrence of `needle` in the YAML the helper writes (the fixture line is its last-but-one). */
  const positionIn = (externaldata: string, needle: string) => {
    const lines = `${withList}tests:\n  - name: list\n    now: x\n    platforms: x\n    tables: x\n    externaldata:\n${externaldata}`.split('\n');
    const line = lines.findIndex((l) => l.includes(needle));
    return `${line + 1}:${lines[line]!.indexOf(needle) + 1}`;
  };

  it('rows are typed by the columns the query declares for the URL', () => {
    expect(runList(`      "${URL}": [{BadAgent: "curl/8.0", Weight: 5}]\n`).status).toBe('passed');
    expect(runList(`      "${URL}": [{BadAgent: "curl/8.0", Weight: five}]\n`).message).toMatch(/externaldata https:\/\/lists\.example\.org\/bad-ua\.csv column Weight is long: /);
  });

  it('a column the query does not declare is an error at the key, with a suggestion', () => {
    const fixture = `      "${URL}": [{BadAgnet: "curl/8.0", Weight: 5}]\n`;
    const r = runList(fixture);
    expect(r.status).toBe('error');
    expect(r.message).toContain(`d.yaml:${positionIn(fixture, 'BadAgnet')}: `);
    expect(r.message).toMatch(/the query declares no column BadAgnet for externaldata https:\/\/lists\.example\.org\/bad-ua\.csv \(it declares: BadAgent, Weight\) \(did you mean `BadAgent`\?\)/);
  });

  it('a URL the query does not read is an error naming the URL it does read', () => {
    const fixture = `      "https://lists.example.org/bad-ua.txt": [{BadAgent: "curl/8.0", Weight: 5}]\n`;
    const r = runList(fixture);
    expect(r.status).toBe('error');
    expect(r.message).toContain(`d.yaml:${positionIn(fixture, '"https://lists.example.org/bad-ua.txt"')}: `);
    expect(r.message).toMatch(/the query reads no externaldata URL https:\/\/lists\.example\.org\/bad-ua\.txt \(did you mean "https:\/\/lists\.example\.org\/bad-ua\.csv"\?\)/);
  });
});

describe('one-column externaldata lists', () => {
  it('may name their single column anything', () => {
    const query = 'query: |\n  let Bad = externaldata(Agent: string)[@"https://lists.example.org/ua.txt"] with (format="txt");\n  DeviceNetworkEvents\n  | extend UserAgent = tostring(todynamic(AdditionalFields).user_agent)\n  | where UserAgent in (Bad)\n  | project Timestamp, DeviceId, DeviceName, ReportId, RemoteIP, UserAgent\n';
    const dir = mkdtempSync(join(tmpdir(), 'dac-fixtures-'));
    writeFileSync(join(dir, 'd.yaml'), `${VALID_DETECTION.replace(/query: \|\n(  .*\n)+/, query)}tests:\n  - name: list\n    now: 2026-01-01T12:00:00Z\n    platforms: [sentinel]\n    tables: {DeviceNetworkEvents: [${curlRow}]}\n    externaldata: {"https://lists.example.org/ua.txt": [{line: "curl/8.0"}]}\n    expect: {count: 1}\n`);
    const [r] = runDetectionTests(loadLibrary([join(dir, 'd.yaml')]).detections);
    expect(r!.status, r!.message).toBe('passed');
  });
});

describe('fixture tables the query does not read', () => {
  it('a failing test notes a misspelt table name with the table the query reads', () => {
    const [r] = run(`  - name: typo in table\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvent:\n        - {DeviceName: ws1}\n    expect: {count: 1}\n`);
    expect(r!.status).toBe('error');
    expect(r!.message).toMatch(/reads table DeviceNetworkEvents, but the test provides no rows for it.*; note: the query does not read table DeviceNetworkEvent given by the test \(did you mean DeviceNetworkEvents\?\)$/);
  });

  it('a passing test is not burdened with the note', () => {
    const [r] = run(`  - name: extra table\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvents:\n        - ${curlRow}\n      DeviceProcessEvents:\n        - {DeviceName: ws1}\n    expect: {count: 1}\n`);
    expect(r!.status).toBe('passed');
    expect(r!.message).toBe('1 row(s)');
  });
});

describe('fixture files', () => {
  const fileTest = (file: string) => `  - name: from file\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables: {DeviceNetworkEvents: {file: ${file}}}\n    expect: {count: 1}\n`;

  it('reads a .json array of row objects', () => {
    const rows = [{ Timestamp: '2026-01-01T10:00:00Z', DeviceId: 'd1', DeviceName: 'ws1', ReportId: 7, ActionType: 'HttpConnectionInspected', AdditionalFields: { user_agent: 'curl/7' } }];
    const [r] = run(fileTest('rows.json'), { 'rows.json': JSON.stringify(rows) });
    expect(r!.status, r!.message).toBe('passed');
  });

  it('names the file and line of a broken JSON Lines row, and rejects other extensions', () => {
    const [bad] = run(fileTest('rows.jsonl'), { 'rows.jsonl': '{"DeviceName": "ws1"}\n{"DeviceName": \n' });
    expect(bad!.status).toBe('error');
    expect(bad!.message).toMatch(/cannot read fixture file: .*rows\.jsonl:2: invalid JSON line/);
    const [txt] = run(fileTest('rows.txt'), { 'rows.txt': 'ws1\n' });
    expect(txt!.message).toMatch(/fixture files must be \.jsonl, \.json or \.csv/);
  });

  it('an unknown column in a file names the file and row', () => {
    const [r] = run(fileTest('rows.jsonl'), { 'rows.jsonl': '{"DeviceName": "ws1"}\n{"DeviceNme": "ws2"}\n' });
    expect(r!.message).toMatch(/DeviceNetworkEvents has no column DeviceNme on defender \(.*rows\.jsonl:2\).*did you mean `DeviceName`/);
  });
});

describe('typedTable: a one-column externaldata list under another column name', () => {
  it('keeps the written text of a number under the name it was written with', async () => {
    const { typedTable } = await import('../../src/testing/fixtures.ts');
    const t = typedTable('https://x.example/l.csv', [{ line: 7 }], 'defender', {
      externaldata: true,
      declared: [{ name: 'Domain', type: 'string' }],
      writtenText: (_row, key) => (key === 'line' ? '007' : undefined),
      onError: (p) => { throw new Error(p.message); },
    });
    expect(t.rows).toEqual([['007']]);
  });
});

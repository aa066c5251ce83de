// How the runner compiles a detection's query for its tests: each test is bound against its own fixture-only
// tables, and a table of the other platform is never declared (the test must fail where the deployment would).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLibrary } from '../../src/detection/library.ts';
import { runDetectionTests } from '../../src/testing/run-tests.ts';
import { mutate, VALID_DETECTION } from '../validate/helpers.ts';

function run(detection: string, tests: string) {
  const dir = mkdtempSync(join(tmpdir(), 'dac-run-tests-'));
  writeFileSync(join(dir, 'd.yaml'), `${detection}tests:\n${tests}`);
  const library = loadLibrary([join(dir, 'd.yaml')]);
  expect(library.diagnostics).toEqual([]);
  return runDetectionTests(library.detections);
}

const withLookup = mutate(
  '  | project Timestamp, DeviceId, DeviceName, ReportId, RemoteIP, UserAgent\n',
  '  | join kind=inner (MyList) on DeviceName\n  | extend E2 = Extra + 1\n  | project Timestamp, DeviceId, DeviceName, ReportId, RemoteIP, UserAgent, E2\n',
);
const row = '{Timestamp: 2026-01-01T10:00:00Z, DeviceId: d1, DeviceName: ws1, ReportId: 7, ActionType: HttpConnectionInspected, AdditionalFields: {user_agent: "curl/8.0"}}';
const lookupTest = (name: string, extra: string, expectation: string) =>
  `  - name: ${name}\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      MyList: [{DeviceName: ws1, Extra: ${extra}}]\n      DeviceNetworkEvents: [${row}]\n    expect: ${expectation}\n`;

describe('each test is compiled against its own fixture-only tables', () => {
  it('a lookup table whose column type differs between tests is bound per test, not by the first test', () => {
    const results = run(withLookup, lookupTest('long', '5', '{contains: [{E2: 6}]}') + lookupTest('string', '"7"', '{count: 1}'));
    expect(results.map((r) => r.status)).toEqual(['passed', 'error']);
    // As when the second test runs alone: '+' of a string and a long does not bind (it used to give "71").
    expect(results[1]!.message).toMatch(/KS106/);
    // At the detection file's line and column (the query's line 7), not the query's own position.
    expect(results[1]!.message).toMatch(/ at \S*d\.yaml:19:23$/);
  });

  it('a test that gives a lookup table passes after one that does not', () => {
    const noList = `  - name: no list\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvents: [${row}]\n    expect: {count: 0}\n`;
    const results = run(withLookup, noList + lookupTest('with list', '5', '{count: 1}'));
    expect(results.map((r) => r.status)).toEqual(['error', 'passed']);
  });
});

describe('tables of the other platform', () => {
  it('a Defender-only table given to a test on Sentinel fails there, as the deployed query would', () => {
    const tvm = mutate(
      '  DeviceNetworkEvents\n  | where ActionType == "HttpConnectionInspected"\n  | extend json = todynamic(AdditionalFields)\n  | extend UserAgent = tostring(json.user_agent)\n  | where UserAgent startswith "curl/"\n  | project Timestamp, DeviceId, DeviceName, ReportId, RemoteIP, UserAgent\n',
      '  DeviceTvmSoftwareVulnerabilities\n  | project DeviceId, DeviceName\n',
    );
    const results = run(tvm.replace(/  customDetails:\n    UserAgent: UserAgent\n/, ''), `  - name: both\n    now: 2026-01-01T12:00:00Z\n    tables:\n      DeviceTvmSoftwareVulnerabilities: [{DeviceId: d1, DeviceName: ws1}]\n    expect: {count: 1}\n`);
    expect(results.map((r) => [r.platform, r.status])).toEqual([['defender', 'passed'], ['sentinel', 'error']]);
    expect(results[1]!.message).toMatch(/DeviceTvmSoftwareVulnerabilities exist\(s\) only on the other platform/);
  });
});

describe('Sentinel watchlists', () => {
  const watchlist = mutate(
    '  | project Timestamp, DeviceId, DeviceName, ReportId, RemoteIP, UserAgent\n',
    "  | join kind=inner (_GetWatchlist('HighValueHosts') | project DeviceName = SearchKey, Owner) on DeviceName\n  | project Timestamp, DeviceId, DeviceName, ReportId, RemoteIP, UserAgent, Owner\n",
  ).replace(/defender:\n  enabled: true\n[\s\S]*$/, 'defender:\n  enabled: false\n');

  it('_GetWatchlist(alias) reads the test table named by the alias', () => {
    const results = run(watchlist, `  - name: high value\n    now: 2026-01-01T12:00:00Z\n    tables:\n      DeviceNetworkEvents: [${row}]\n      HighValueHosts: [{SearchKey: ws1, Owner: alice}]\n    expect: {count: 1, contains: [{DeviceName: ws1, Owner: alice}]}\n`);
    expect(results.map((r) => [r.platform, r.status, r.message])).toEqual([['sentinel', 'passed', '1 row(s)']]);
  });

  it('a test without the watchlist table fails saying which table to give', () => {
    const [r] = run(watchlist, `  - name: no list\n    now: 2026-01-01T12:00:00Z\n    tables:\n      DeviceNetworkEvents: [${row}]\n    expect: {count: 0}\n`);
    expect(r!.status).toBe('error');
    expect(r!.message).toMatch(/reads watchlist 'HighValueHosts', but the test provides no rows for it \(add tables: {HighValueHosts: \[...\]}/);
  });
});

describe('invoke FileProfile() fixtures on Defender', () => {
  const profiled = mutate(
    '  | project Timestamp, DeviceId, DeviceName, ReportId, RemoteIP, UserAgent\n',
    '  | extend SHA1 = "aaa"\n  | invoke FileProfile(SHA1, 1000)\n  | project Timestamp, DeviceId, DeviceName, ReportId, RemoteIP, UserAgent, GlobalPrevalence\n',
  );
  // % is replaced by the profile's other columns.
  const fp = (events: string) => `  - name: fp\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvents: [${events}]\n      FileProfile: [{SHA1: aaa, %}]\n    expect: {count: 1}\n`;

  it('are checked against the documented FileProfile columns: a misspelt or mistyped column is an error', () => {
    const [typo] = run(profiled, fp(row).replace('%', 'GlobalPrevalance: 3'));
    expect(typo!.message).toMatch(/FileProfile has no column GlobalPrevalance on defender \(did you mean `GlobalPrevalence`\?\)/);
    const [wrong] = run(profiled, fp(row).replace('%', 'GlobalPrevalence: lots'));
    expect(wrong!.message).toMatch(/FileProfile\.GlobalPrevalence is int on defender: expected a number, got "lots"/);
    const [ok] = run(profiled, fp(row).replace('%', 'GlobalPrevalence: 3'));
    expect([ok!.status, ok!.message]).toEqual(['passed', '1 row(s)']);
  });
});

describe('positions after the dialect rewrite', () => {
  // Sentinel runs `TimeGenerated` where the file says `Timestamp` (4 characters longer, twice on this line): the
  // trace and errors must still point at the detection file's columns, the same on both platforms.
  const line = '  | where Timestamp > ago(1d) and Timestamp < now() | where ActionType == "HttpConnectionInspected"';
  const rewritten = mutate('  | where ActionType == "HttpConnectionInspected"\n', `${line}\n`);
  const wrong = `  - name: expects too many rows\n    now: 2026-01-01T12:00:00Z\n    tables:\n      DeviceNetworkEvents: [${row}]\n    expect: {count: 2}\n`;

  it('trace stages on a rewritten line keep the file columns on every platform', () => {
    const results = run(rewritten, wrong);
    expect(results.map((r) => [r.platform, r.status])).toEqual([['defender', 'failed'], ['sentinel', 'failed']]);
    for (const r of results) {
      const stage = r.trace!.find((t) => t.operator.startsWith('where ActionType'))!;
      expect([r.platform, stage.line, stage.column]).toEqual([r.platform, 14, line.indexOf('where ActionType') + 1]);
    }
  });

  it('an engine error after the rewrite names the file column of the construct', () => {
    const bad = mutate('  | where ActionType == "HttpConnectionInspected"\n', `${line} and DeviceName matches regex "(?=x)"\n`);
    const results = run(bad, wrong);
    const column = `${line} and DeviceName matches regex "(?=x)"`.indexOf('"(?=x)"') + 1;
    expect(results.map((r) => r.status)).toEqual(['error', 'error']);
    for (const r of results) expect(r.message).toMatch(new RegExp(`d\\.yaml:14:${column}$`));
  });
});

describe('numbers written unquoted in YAML', () => {
  const http = (name: string, extra = '') => `{Timestamp: 2026-01-01T10:00:00Z, DeviceId: d1, DeviceName: ${name}, ReportId: 7, ActionType: HttpConnectionInspected, AdditionalFields: {user_agent: "curl/8.0"}${extra}}`;
  const test = (expectation: string) => `  - name: numbers\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvents: [${http('007')}, ${http('1.10')}, ${http('0x1F')}, ${http('"0042"')}]\n    expect: ${expectation}\n`;

  it('keep their written text in a string column, fixtures and expectations alike', () => {
    const [r] = run(VALID_DETECTION, test('{rows: [{DeviceName: 007, ReportId: 0x7}, {DeviceName: 1.10}, {DeviceName: 0x1F}, {DeviceName: 0042, ReportId: 7.0}]}'));
    expect([r!.status, r!.message]).toEqual(['passed', '4 row(s)']);
  });

  it('a text that differs from the written one does not match', () => {
    const [r] = run(VALID_DETECTION, test('{contains: [{DeviceName: "7"}]}'));
    expect(r!.status).toBe('failed');
    const [quoted] = run(VALID_DETECTION, test('{contains: [{DeviceName: "007"}, {DeviceName: "1.10"}]}'));
    expect(quoted!.status).toBe('passed');
  });
});

describe('numbers written unquoted in YAML, reused through anchors; longs a double cannot hold', () => {
  const http = (name: string, reportId = '7') => `{Timestamp: 2026-01-01T10:00:00Z, DeviceId: d1, DeviceName: ${name}, ReportId: ${reportId}, ActionType: HttpConnectionInspected, AdditionalFields: {user_agent: "curl/8.0"}}`;

  it('an alias of an anchored row or value keeps the written text', () => {
    const test = `  - name: anchors\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvents: [&r ${http('&n 007')}, *r]\n    expect: {rows: [&e {DeviceName: *n}, *e]}\n`;
    const [r] = run(VALID_DETECTION, test);
    expect([r!.status, r!.message]).toEqual(['passed', '2 row(s)']);
  });

  it('a long past 2^53 in a fixture is an error naming the written value, not a rounded number', () => {
    const test = (id: string) => `  - name: big\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables:\n      DeviceNetworkEvents: [${http('ws1', id)}]\n    expect: {count: 1}\n`;
    const [big] = run(VALID_DETECTION, test('9007199254740993'));
    expect(big!.status).toBe('error');
    expect(big!.message).toMatch(/DeviceNetworkEvents\.ReportId is long on defender: 9007199254740993 is beyond ±2\^53: .* would round it to 9007199254740992/);
    const [max] = run(VALID_DETECTION, test('9223372036854775807'));
    expect(max!.message).toMatch(/9223372036854775807 is beyond ±2\^53/);
    const [fits] = run(VALID_DETECTION, test('9007199254740991'));
    expect(fits!.status).toBe('passed');
  });
});

// `dac test` end to end: exit codes, the documented JSON shape, text failures with a trace, GitHub annotations.
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { tempLibrary, VALID_DETECTION } from '../validate/helpers.ts';

async function dac(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

const row = (name: string, ua: string) =>
  `{Timestamp: 2026-01-01T10:00:00Z, DeviceId: d-${name}, DeviceName: ${name}, ReportId: 7, ActionType: HttpConnectionInspected, RemoteIP: 1.2.3.4, AdditionalFields: {user_agent: "${ua}"}}`;

const passing = `  - name: fires on curl
    now: 2026-01-01T12:00:00Z
    tables:
      DeviceNetworkEvents:
        - ${row('ws1', 'curl/8.0')}
        - ${row('ws2', 'Mozilla/5.0')}
    expect: {count: 1, contains: [{DeviceName: ws1}], excludes: [{DeviceName: ws2}]}
`;
// Wrong on purpose: the browser row is filtered out by the user-agent `where`.
const failing = `  - name: expects the browser
    now: 2026-01-01T12:00:00Z
    platforms: [defender]
    tables:
      DeviceNetworkEvents:
        - ${row('ws2', 'Mozilla/5.0')}
    expect: {contains: [{DeviceName: ws2}]}
`;

const library = (tests: string) => tempLibrary({ 'd.yaml': `${VALID_DETECTION}tests:\n${tests}` });
/** 1-based line of `- name: <test>` in the file the library helper writes, found in the text itself. */
const lineOf = (tests: string, name: string) => `${VALID_DETECTION}tests:\n${tests}`.split('\n').findIndex((l) => l.includes(`- name: ${name}`)) + 1;

describe('dac test', () => {
  it('without paths outside the repository root, says where it looked (exit 2)', async () => {
    const here = process.cwd();
    process.chdir(tempLibrary({ 'notes.txt': 'no detections here' }));
    try {
      const r = await dac('test');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/no such file or directory: detections \(with no paths, dac test reads \.\/detections: run it from the repository root, or give the paths\)/);
    } finally {
      process.chdir(here);
    }
  });

  it('exits 0 when every test passes on every enabled platform, and says how many ran', async () => {
    const r = await dac('test', library(passing));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ 2 detection tests: 2 passed, 0 failed/);
  });

  it('an expectation on Timestamp holds on Sentinel too, where the build returns TimeGenerated', async () => {
    const r = await dac('test', library(passing.replace('contains: [{DeviceName: ws1}]', 'contains: [{DeviceName: ws1, Timestamp: 2026-01-01T10:00:00Z}]')), '--format', 'json');
    expect(JSON.parse(r.stdout).tests.map((t: Record<string, string>) => [t.platform, t.status])).toEqual([['defender', 'passed'], ['sentinel', 'passed']]);
    const wrong = await dac('test', library(passing.replace('contains: [{DeviceName: ws1}]', 'contains: [{DeviceName: ws1, Timestamp: 2026-01-01T10:05:00Z}]')), '--format', 'json');
    expect(JSON.parse(wrong.stdout).tests.map((t: Record<string, string>) => t.status)).toEqual(['failed', 'failed']);
  });

  it('--format json prints the documented shape, one entry per test × platform, and exits 1 on a failure', async () => {
    const r = await dac('test', library(passing + failing), '--format', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.passed).toBe(2);
    expect(out.failed).toBe(1);
    expect(out.tests.map((t: Record<string, string>) => [t.test, t.platform, t.status])).toEqual([
      ['fires on curl', 'defender', 'passed'],
      ['fires on curl', 'sentinel', 'passed'],
      ['expects the browser', 'defender', 'failed'],
    ]);
    const failed = out.tests[2];
    expect(failed).toMatchObject({ detection: 'Outbound HTTP with curl user agent', message: 'expected row not found', line: lineOf(passing + failing, 'expects the browser') });
    expect(failed.trace.some((t: { operator: string; rowsIn: number; rowsOut: number }) => /startswith "curl\/"/.test(t.operator) && t.rowsIn === 1 && t.rowsOut === 0)).toBe(true);
  });

  it('text output shows expected vs actual and marks the stage that dropped every row', async () => {
    const r = await dac('test', library(failing));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`✗ Outbound HTTP with curl user agent › expects the browser [defender]`);
    expect(r.stdout).toContain('expected: {"DeviceName":"ws2"}');
    expect(r.stdout).toContain('actual:   []');
    expect(r.stdout).toMatch(/1 → 0\s+where UserAgent startswith "curl\/"\s+← all rows dropped here/);
  });

  it('--format github annotates the failing test at its line', async () => {
    const r = await dac('test', library(passing + failing), '--format', 'github');
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatch(new RegExp(`^::error file=[^,]*d\\.yaml,line=${lineOf(passing + failing, 'expects the browser')},title=test defender::`));
    expect(annotations[0]).toContain('expected row not found');
  });

  it('a detection file that does not load fails the run in every format, at its line', async () => {
    const dir = tempLibrary({ 'ok.yaml': `${VALID_DETECTION}tests:\n${passing}`, 'bad.yaml': VALID_DETECTION.replace('severity: medium', 'severity: urgent') });
    const json = await dac('test', dir, '--format', 'json');
    expect(json.code).toBe(1);
    const out = JSON.parse(json.stdout);
    expect([out.passed, out.failed]).toEqual([2, 0]);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]).toMatchObject({ file: expect.stringMatching(/bad\.yaml$/), line: VALID_DETECTION.split('\n').findIndex((l) => l.startsWith('severity:')) + 1 });
    const github = await dac('test', dir, '--format', 'github');
    expect(github.code).toBe(1);
    expect(github.stdout).toMatch(/^::error file=[^,]*bad\.yaml,line=\d+,col=\d+,title=/m);
    const text = await dac('test', dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^✗ 2 detection tests: 2 passed, 0 failed; 1 file\(s\) did not load, their tests did not run$/m);
  });

  it('a missing externaldata URL fails the test naming the URL', async () => {
    const query = 'query: |\n  let Bad = externaldata(UserAgent: string)[@"https://lists.example.org/bad-ua.csv"] with (format="csv");\n  DeviceNetworkEvents\n  | extend UserAgent = tostring(todynamic(AdditionalFields).user_agent)\n  | where UserAgent in (Bad)\n  | project Timestamp, DeviceId, DeviceName, ReportId, RemoteIP, UserAgent\n';
    const detection = VALID_DETECTION.replace(/query: \|\n(  .*\n)+/, query);
    const dir = tempLibrary({ 'd.yaml': `${detection}tests:\n  - name: no list\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables: {DeviceNetworkEvents: [${row('ws1', 'curl/8.0')}]}\n    expect: {count: 1}\n` });
    const r = await dac('test', dir, '--format', 'json');
    expect(r.code).toBe(1);
    const [t] = JSON.parse(r.stdout).tests;
    expect(t.status).toBe('error');
    expect(t.message).toContain('externaldata reads https://lists.example.org/bad-ua.csv; the test must provide its rows');
  });
});

// Fixture files of detection tests (`file:` rows): confined to the repository, malformed rows reported as
// `file:line: why` without stopping the run, BOMs stripped, strict CSV, messages naming the file and its real line.
import { mkdirSync, symlinkSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { loadLibrary } from '../../src/detection/library.ts';
import { runDetectionTests } from '../../src/testing/run-tests.ts';
import { tempLibrary, VALID_DETECTION } from '../validate/helpers.ts';

/** A row the detection's query returns (an HTTP request with a curl user agent). */
const ROW = { Timestamp: '2026-01-01T10:00:00Z', DeviceId: 'd1', DeviceName: 'ws1', ReportId: 7, ActionType: 'HttpConnectionInspected', AdditionalFields: '{"user_agent":"curl/8"}' };
const jsonl = (...rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

const fileTest = (file: string) => `  - name: from file\n    now: 2026-01-01T12:00:00Z\n    platforms: [defender]\n    tables: {DeviceNetworkEvents: {file: ${JSON.stringify(file)}}}\n    expect: {count: 1}\n`;

/**
 * A temporary directory holding a repository `repo/` (it has .git) with the detection at
 * repo/detections/net/d.yaml, as in this repository. `files` are relative to the temporary directory, so a file
 * outside `repo/` is outside the repository. Returns the repository directory.
 */
function repo(tests: string, files: Record<string, string | Buffer> = {}): string {
  const dir = tempLibrary({ 'repo/.git/HEAD': 'ref: refs/heads/main\n', 'repo/detections/net/d.yaml': `${VALID_DETECTION}tests:\n${tests}`, ...files });
  return join(dir, 'repo');
}

function runIn(root: string) {
  const library = loadLibrary([join(root, 'detections/net/d.yaml')]);
  expect(library.diagnostics).toEqual([]);
  return runDetectionTests(library.detections);
}

/** Runs the one test of a detection whose rows come from `file` (relative to the detection). */
function fromFile(file: string, files: Record<string, string | Buffer>) {
  return runIn(repo(fileTest(file), files))[0]!;
}

async function dac(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

describe('fixture file paths stay inside the repository', () => {
  it('reads a file under test/fixtures/ by a path relative to the detection', () => {
    const r = fromFile('../../test/fixtures/rows.jsonl', { 'repo/test/fixtures/rows.jsonl': jsonl(ROW) });
    expect(r.status, r.message).toBe('passed');
  });

  it('rejects a path that climbs out of the repository', () => {
    const r = fromFile('../../../secret.jsonl', { 'secret.jsonl': jsonl(ROW) });
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/cannot read fixture file: \.\.\/\.\.\/\.\.\/secret\.jsonl: is outside the repository/);
  });

  it('rejects an absolute path, such as /etc/passwd', () => {
    const r = fromFile('/etc/passwd', {});
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/cannot read fixture file: \/etc\/passwd: must be a path relative to the detection file/);
  });

  it('rejects a symlink inside the repository that points outside it', () => {
    const root = repo(fileTest('../../test/fixtures/link.jsonl'), { 'secret.jsonl': jsonl(ROW), 'repo/test/fixtures/.keep': '' });
    symlinkSync(join(root, '../secret.jsonl'), join(root, 'test/fixtures/link.jsonl'));
    const r = runIn(root)[0]!;
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/link\.jsonl: is outside the repository/);
  });

  it('rejects what is not a regular file, checking the extension before anything is read', () => {
    const root = repo(fileTest('../../test/fixtures/dir.jsonl') + fileTest('../../test/fixtures/dir.txt').replace('from file', 'txt'), { 'repo/test/fixtures/.keep': '' });
    mkdirSync(join(root, 'test/fixtures/dir.jsonl'));
    mkdirSync(join(root, 'test/fixtures/dir.txt'));
    const [dir, txt] = runIn(root);
    expect(dir!.message).toMatch(/dir\.jsonl: not a regular file/);
    expect(txt!.message).toMatch(/dir\.txt: fixture files must be \.jsonl, \.json or \.csv/);
  });

  it('refuses a file over the 64 MB cap without reading it', () => {
    const root = repo(fileTest('../../test/fixtures/big.jsonl'), { 'repo/test/fixtures/big.jsonl': '' });
    truncateSync(join(root, 'test/fixtures/big.jsonl'), 64 * 2 ** 20 + 1); // sparse: no disk or time spent
    const r = runIn(root)[0]!;
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/big\.jsonl: 65 MB is over the 64 MB limit/);
  });
});


describe('malformed rows are `file:line: why` errors of that test, never a crash of the run', () => {
  it('a JSON Lines null or number, or a .json null, number or array element, is "row is not a JSON object" at its line', () => {
    const cases: [string, string, string][] = [
      ['rows.jsonl', `${JSON.stringify(ROW)}\n\nnull\n`, 'rows.jsonl:3'],
      ['rows.jsonl', '5\n', 'rows.jsonl:1'],
      ['rows.json', '[null]', 'rows.json:1'],
      ['rows.json', '[1]', 'rows.json:1'],
      ['rows.json', `[\n  ${JSON.stringify(ROW)},\n  ["x"]\n]`, 'rows.json:3'],
    ];
    for (const [name, text, at] of cases) {
      const r = fromFile(`../../test/fixtures/${name}`, { [`repo/test/fixtures/${name}`]: text });
      expect(r.status, text).toBe('error');
      expect(r.message, text).toMatch(new RegExp(`cannot read fixture file: \\S*test/fixtures/${at.replace('.', '\\.')}: row is not a JSON object$`));
    }
  });

  it('a .json syntax error names the line', () => {
    const r = fromFile('../../test/fixtures/rows.json', { 'repo/test/fixtures/rows.json': '[\n  {"Timestamp": "2026-01-01T10:00:00Z",}\n]' });
    expect(r.message).toMatch(/test\/fixtures\/rows\.json:2: invalid JSON: Expected double-quoted property name/);
  });

  it('`dac test` reports the bad detection and still runs the others', async () => {
    const bad = `${VALID_DETECTION}tests:\n${fileTest('../../test/fixtures/null.jsonl')}`;
    const good = `${VALID_DETECTION.replace(/^id: .*$/m, 'id: 0b6a4d1e-1c8f-4f7a-9d2e-5a3b7c9e1f20').replace(/^name: .*$/m, 'name: Another detection')}tests:\n${fileTest('../../test/fixtures/rows.jsonl')}`;
    const dir = tempLibrary({ '.git/HEAD': 'ref: refs/heads/main\n', 'detections/a/bad.yaml': bad, 'detections/b/good.yaml': good, 'test/fixtures/null.jsonl': 'null\n', 'test/fixtures/rows.jsonl': jsonl(ROW) });
    const r = await dac('test', join(dir, 'detections'));
    expect(r.stderr).not.toMatch(/internal error|    at /);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/null\.jsonl:1: row is not a JSON object/);
    expect(r.stdout).toMatch(/2 detection tests: 1 passed, 1 failed/);
  });
});

describe('file contents', () => {
  it('a UTF-8 BOM (Excel CSV, some editors) is stripped from .csv, .jsonl and .json files', () => {
    const csv = '\uFEFFTimestamp,DeviceId,DeviceName,ReportId,ActionType,AdditionalFields\n2026-01-01T10:00:00Z,d1,ws1,7,HttpConnectionInspected,"{""user_agent"":""curl/8""}"\n';
    const cases: [string, string][] = [['rows.csv', csv], ['rows.jsonl', `\uFEFF${jsonl(ROW)}`], ['rows.json', `\uFEFF${JSON.stringify([ROW])}`]];
    for (const [name, text] of cases) {
      const r = fromFile(`../../test/fixtures/${name}`, { [`repo/test/fixtures/${name}`]: text });
      expect(r.status, `${name}: ${r.message}`).toBe('passed');
    }
  });

  it('CSV: an unterminated quote and a duplicate header column are errors at their line', () => {
    const unterminated = fromFile('../../test/fixtures/rows.csv', { 'repo/test/fixtures/rows.csv': 'DeviceName,RemoteUrl\nws1,x\nws2,"http://a\nws3,y\n' });
    expect(unterminated.message).toMatch(/rows\.csv:3: quoted field is never closed/);
    const duplicate = fromFile('../../test/fixtures/rows.csv', { 'repo/test/fixtures/rows.csv': 'DeviceName,RemoteUrl,DeviceName\nws1,x,ws2\n' });
    expect(duplicate.message).toMatch(/rows\.csv:1: column DeviceName appears twice in the header/);
  });

  it('column and type errors name the fixture file by its full path and the line of the row', () => {
    // A multi-line quoted field and a blank line: the bad value is on line 6 but in row 2.
    const csv = 'DeviceName,RemoteUrl,RemotePort\nws1,"http://a\nb",80\n\n\nws2,x,eighty\n';
    const r = fromFile('../../test/fixtures/dns/rows.csv', { 'repo/test/fixtures/dns/rows.csv': csv });
    expect(r.message).toMatch(/DeviceNetworkEvents\.RemotePort is int on defender: .* \(\S*\/repo\/test\/fixtures\/dns\/rows\.csv:6\)$/);
    const unknown = fromFile('../../test/fixtures/dns/rows.jsonl', { 'repo/test/fixtures/dns/rows.jsonl': `${JSON.stringify(ROW)}\n\n{"DeviceNme": "ws2"}\n` });
    expect(unknown.message).toMatch(/DeviceNetworkEvents has no column DeviceNme on defender \(\S*\/repo\/test\/fixtures\/dns\/rows\.jsonl:3\)/);
  });

  it('run from the repository root, the fixture file is shown by its repository-relative path', () => {
    const root = repo(fileTest('../../test/fixtures/dns/rows.jsonl'), { 'repo/test/fixtures/dns/rows.jsonl': '{"DeviceNme": "ws2"}\n' });
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const [r] = runDetectionTests(loadLibrary(['detections/net/d.yaml']).detections);
      expect(r!.message).toContain('(test/fixtures/dns/rows.jsonl:1)');
    } finally {
      process.chdir(cwd);
    }
  });
});

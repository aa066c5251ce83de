// `dac query` on bad input: one-line `file:line: why` usage errors (exit 2), never a stack trace; argument checks.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';

async function dac(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

/** Writes `files` to a new temporary directory and returns its path. */
function files(contents: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dac-query-args-'));
  for (const [name, text] of Object.entries(contents)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Exit 2 with one line on stderr that matches `message`, and no stack trace. */
function usageError(r: { code: number; stderr: string }, message: RegExp) {
  expect(r.stderr).not.toMatch(/internal error|    at /);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr.trimEnd()).toMatch(message);
  expect(r.code).toBe(2);
}

describe('dac query --table files', () => {
  it('malformed rows are file:line usage errors, not stack traces', async () => {
    const dir = files({
      'bad.json': '[{"Timestamp":"2026-01-01T00:00:00Z",}]',
      'null.json': '[null]',
      'five.jsonl': '{"a": 1}\n\n5\n',
      'fields.csv': 'a,b\n1,2,3\n',
      'open.csv': 'a,b\n1,"x\n2,3\n',
      'dup.csv': 'a,b,a\n1,2,3\n',
    });
    const run = (file: string) => dac('query', '-q', 'T', '--table', `T=${join(dir, file)}`);
    usageError(await run('bad.json'), /bad\.json:1: invalid JSON: Expected double-quoted property name/);
    usageError(await run('null.json'), /null\.json:1: row is not a JSON object$/);
    usageError(await run('five.jsonl'), /five\.jsonl:3: row is not a JSON object$/);
    usageError(await run('fields.csv'), /fields\.csv:2: 3 fields, header has 2$/);
    usageError(await run('open.csv'), /open\.csv:2: quoted field is never closed$/);
    usageError(await run('dup.csv'), /dup\.csv:1: column a appears twice in the header$/);
  });

  it('an unknown column names the line of its row, counting blank lines', async () => {
    const dir = files({ 'dne.jsonl': '{"DeviceName": "ws1"}\n\n{"DeviceNme": "ws2"}\n' });
    usageError(await dac('query', '-q', 'DeviceNetworkEvents', '--table', `DeviceNetworkEvents=${join(dir, 'dne.jsonl')}`), /dne\.jsonl:3: DeviceNetworkEvents has no column DeviceNme on defender \(did you mean DeviceName\?\)/);
  });

  it('a UTF-8 BOM at the start of a file is ignored', async () => {
    const dir = files({ 'dne.csv': '\uFEFFTimestamp,DeviceName\n2026-01-01T00:00:00Z,ws1\n', 'dne.json': '\uFEFF[{"DeviceName": "ws2"}]' });
    for (const name of ['dne.csv', 'dne.json']) {
      const r = await dac('query', '-q', 'DeviceNetworkEvents | project DeviceName', '--table', `DeviceNetworkEvents=${join(dir, name)}`, '--format', 'csv');
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^DeviceName\nws[12]\n$/);
    }
  });

  it('directories and unknown extensions are clear errors; .txt is not read as JSON Lines', async () => {
    const dir = files({ 'rows.txt': '{"a": 1}\n' });
    mkdirSync(join(dir, 'rows.jsonl'));
    usageError(await dac('query', '-q', 'T', '--table', `T=${join(dir, 'rows.jsonl')}`), /rows\.jsonl: not a regular file$/);
    usageError(await dac('query', '-q', 'T', '--table', `T=${join(dir, 'rows.txt')}`), /rows\.txt: fixture files must be \.jsonl, \.json or \.csv/);
    usageError(await dac('query', '-q', 'T', '--table', 'T=/dev/zero'), /\/dev\/zero: fixture files must be/);
  });

  it('rows are typed as in dac test: Sentinel fills TimeGenerated, AdditionalFields objects are JSON, FileProfile is checked', async () => {
    const dir = files({
      'dne.jsonl': '{"Timestamp": "2026-01-01T00:00:00Z", "AdditionalFields": {"user_agent": "curl/8"}}\n',
      'fp.jsonl': '{"SHA1": "ab", "GlobalPrevalance": 3}\n',
      'list.jsonl': '{"Seen": "2026-01-01T00:00:00Z", "Note": "x"}\n',
    });
    const dne = `DeviceNetworkEvents=${join(dir, 'dne.jsonl')}`;
    const sentinel = await dac('query', '--platform', 'sentinel', '-q', 'DeviceNetworkEvents | project TimeGenerated, ua = tostring(AdditionalFields.user_agent)', '--table', dne, '--format', 'json');
    expect(sentinel.stderr).toBe('');
    expect(JSON.parse(sentinel.stdout).rows).toEqual([['2026-01-01T00:00:00Z', 'curl/8']]);
    // On Defender AdditionalFields is a string column: the object is kept as its JSON text.
    const defender = await dac('query', '-q', 'DeviceNetworkEvents | project ua = tostring(parse_json(AdditionalFields).user_agent)', '--table', dne, '--format', 'csv');
    expect(defender.stdout).toBe('ua\ncurl/8\n');
    usageError(await dac('query', '-q', 'DeviceFileEvents | invoke FileProfile(SHA1, 1000)', '--table', `FileProfile=${join(dir, 'fp.jsonl')}`), /fp\.jsonl:1: FileProfile has no column GlobalPrevalance on defender \(did you mean GlobalPrevalence\?\)/);
    // A table outside the schema takes ISO-8601 text as datetime, so time arithmetic works on it.
    const list = await dac('query', '-q', 'List | project d = Seen + 1d', '--table', `List=${join(dir, 'list.jsonl')}`, '--format', 'json');
    expect(JSON.parse(list.stdout)).toEqual({ columns: [{ name: 'd', type: 'datetime' }], rows: [['2026-01-02T00:00:00Z']] });
  });

  it('CSV cells of a table outside the schema are typed from their text: integers long, numbers real, true/false bool', async () => {
    const dir = files({ 't.csv': 'c,n,r,b,z\n2024-01-01T00:00:00Z,5,1.5,true,007\n,6,2,false,x\n' });
    const r = await dac('query', '-q', 'T | extend n2 = n + 1, r2 = r * 2', '--table', `T=${join(dir, 't.csv')}`, '--format', 'json');
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      columns: [{ name: 'c', type: 'datetime' }, { name: 'n', type: 'long' }, { name: 'r', type: 'real' }, { name: 'b', type: 'bool' }, { name: 'z', type: 'string' }, { name: 'n2', type: 'long' }, { name: 'r2', type: 'real' }],
      rows: [['2024-01-01T00:00:00Z', 5, 1.5, true, '007', 6, 3], [null, 6, 2, false, 'x', 7, 4]],
    });
  });

  it('--externaldata URL=path serves an externaldata URL (which may hold =), typed by the declared columns', async () => {
    const url = 'https://x.example/a.txt?v=1';
    const dir = files({ 'ext.jsonl': '{"D": "a", "N": 1}\n{"D": "b", "N": 2}\n', 'bad.jsonl': '{"E": "a"}\n' });
    const q = `externaldata(D:string, N:long)[@"${url}"] | summarize sum(N)`;
    const ok = await dac('query', '-q', q, '--externaldata', `${url}=${join(dir, 'ext.jsonl')}`, '--format', 'csv');
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('sum_N\n3\n');
    usageError(await dac('query', '-q', q), /the query reads externaldata https:\/\/x\.example\/a\.txt\?v=1 \(nothing is fetched\): pass its rows with --externaldata 'https:\/\/x\.example\/a\.txt\?v=1=path'/);
    usageError(await dac('query', '-q', q, '--externaldata', `https://x.example/b.txt?v=1=${join(dir, 'ext.jsonl')}`), /reads no externaldata URL https:\/\/x\.example\/b\.txt\?v=1 \(did you mean https:\/\/x\.example\/a\.txt\?v=1\?\)/);
    usageError(await dac('query', '-q', q, '--externaldata', `${url}=${join(dir, 'bad.jsonl')}`), /bad\.jsonl:1: the query declares no column E for externaldata/);
    usageError(await dac('query', '-q', q, '--externaldata', 'nopath'), /--externaldata expects URL=path, got nopath/);
  });

  it('every missing input is a usage error (exit 2) that names the option to pass', async () => {
    usageError(await dac('query', '-q', 'print g = geo_info_from_ip_address("8.8.8.8")'), /pass it with --table geo_info_from_ip_address=path/);
    usageError(await dac('query', '--platform', 'sentinel', '-q', "_GetWatchlist('HV') | count"), /the query reads watchlist 'HV': pass its rows .* with --table HV=path/);
    const dir = files({ 'dfe.jsonl': '{"SHA1": "ab"}\n' });
    usageError(await dac('query', '-q', 'DeviceFileEvents | invoke FileProfile()', '--table', `DeviceFileEvents=${join(dir, 'dfe.jsonl')}`), /the query reads table FileProfile: pass rows with --table FileProfile=path/);
  });

  it('--file naming a directory is a usage error', async () => {
    usageError(await dac('query', '--file', files({})), /query file is a directory/);
  });
});

describe('dac query arguments', () => {
  it('--now that is not a datetime, or a day that does not exist, is a usage error', async () => {
    usageError(await dac('query', '-q', 'print now()', '--now', 'garbage'), /--now is not a valid datetime: garbage/);
    usageError(await dac('query', '-q', 'print now()', '--now', '2026-02-30T00:00:00Z'), /--now is not a valid datetime: 2026-02-30T00:00:00Z/);
  });

  it('a bad --platform is reported under its own name', async () => {
    usageError(await dac('query', '-q', 'print 1', '--platform', 'azure'), /^dac query: --platform must be one of defender, sentinel \(got azure\)$/);
  });

  it('extra positional arguments are a usage error', async () => {
    usageError(await dac('query', '-q', 'print 1', 'DeviceNetworkEvents'), /unexpected argument DeviceNetworkEvents/);
  });

  it('the same --table name twice is a usage error', async () => {
    const dir = files({ 'a.jsonl': '{"x": 1}\n', 'b.jsonl': '{"x": 2}\n' });
    usageError(await dac('query', '-q', 'T', '--table', `T=${join(dir, 'a.jsonl')}`, '--table', `T=${join(dir, 'b.jsonl')}`), /--table T is given twice/);
  });

  it('a table the query reads without --table says which --table to pass', async () => {
    const r = await dac('query', '-q', 'DeviceNetworkEvents | count');
    usageError(r, /the query reads table DeviceNetworkEvents: pass rows with --table DeviceNetworkEvents=path/);
    expect(r.stderr).not.toMatch(/the test|tables: \{/);
  });

  it('a misspelt --table gets a did-you-mean, and unread --table entries a warning naming what the query reads', async () => {
    const dir = files({ 'dne.jsonl': '{"DeviceName": "ws1"}\n' });
    const rows = join(dir, 'dne.jsonl');
    const typo = await dac('query', '-q', 'DeviceNetworkEvents | count', '--table', `DeviceNetworkEvnts=${rows}`);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/warning: the query does not read table DeviceNetworkEvnts given by --table \(did you mean DeviceNetworkEvents\?\); it reads DeviceNetworkEvents/);
    const extra = await dac('query', '-q', 'DeviceNetworkEvents | count', '--table', `DeviceNetworkEvents=${rows}`, '--table', `DeviceProcessEvents=${rows}`, '--format', 'csv');
    expect(extra.code).toBe(0);
    expect(extra.stdout).toBe('Count\n1\n');
    expect(extra.stderr).toBe('dac query: warning: the query does not read table DeviceProcessEvents given by --table; it reads DeviceNetworkEvents\n');
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
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

/** `DeviceNetworkEvents | count` over a table file written with the given name and content. */
async function queryOver(fileName: string, content: string) {
  const dir = mkdtempSync(join(tmpdir(), 'dac-query-'));
  writeFileSync(join(dir, fileName), content);
  return dac('query', '-q', 'DeviceNetworkEvents | count', '--table', `DeviceNetworkEvents=${join(dir, fileName)}`);
}

describe('dac query', () => {
  it('runs a query over a JSONL table typed by the platform schema and prints the documented JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dac-query-'));
    const rows = join(dir, 'dne.jsonl');
    writeFileSync(rows, [
      { Timestamp: '2024-05-01T11:30:00Z', DeviceName: 'ws1', RemotePort: 22, AdditionalFields: { user_agent: 'curl/8' } },
      { Timestamp: '2024-04-01T00:00:00Z', DeviceName: 'ws2', RemotePort: 443 },
    ].map((r) => JSON.stringify(r)).join('\n'));
    const r = await dac('query', '-q', 'DeviceNetworkEvents | where Timestamp > ago(1d) | project Timestamp, DeviceName, RemotePort, ua = tostring(todynamic(AdditionalFields).user_agent), age = now() - Timestamp', '--table', `DeviceNetworkEvents=${rows}`, '--now', '2024-05-01T12:00:00Z', '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      columns: [{ name: 'Timestamp', type: 'datetime' }, { name: 'DeviceName', type: 'string' }, { name: 'RemotePort', type: 'int' }, { name: 'ua', type: 'string' }, { name: 'age', type: 'timespan' }],
      rows: [['2024-05-01T11:30:00Z', 'ws1', 22, 'curl/8', '00:30:00']],
    });
  });

  it('reports an unknown column in a table file, a KQL error, and an unsupported construct', async () => {
    const bad = await queryOver('bad.jsonl', '{"DeviceNme": "x"}\n');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.jsonl:1: DeviceNetworkEvents has no column DeviceNme on defender \(did you mean DeviceName\?\)/);
    const kql = await dac('query', '-q', 'print x = nosuch');
    expect(kql.code).toBe(1);
    expect(kql.stderr).toMatch(/KS142/);
    const csv = await dac('query', '-q', 'print a = "x,y", b = 1', '--format', 'csv');
    expect(csv.stdout).toBe('a,b\n"x,y",1\n');
  });

  it('points at the malformed JSONL line and at the query file position of a KQL error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dac-query-'));
    writeFileSync(join(dir, 'rows.jsonl'), '{"a": 1}\n{"a": 2,}\n');
    const bad = await dac('query', '-q', 'T | count', '--table', `T=${join(dir, 'rows.jsonl')}`);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/rows\.jsonl:2: invalid JSON line/);
    const q = join(dir, 'q.kql');
    writeFileSync(q, 'print a = 1\n| where nosuch > 1\n');
    const kql = await dac('query', '--file', q);
    expect(kql.code).toBe(1);
    expect(kql.stderr).toContain(`${q}:2:9: KQL error KS142`);
    expect(kql.stderr).not.toMatch(/at 2:9/); // the position leads the line once
  });

  it('prints a large result as a table, one line per row even for text with line breaks', async () => {
    const r = await dac('query', '-q', 'range x from 1 to 150000 step 1 | extend s = iff(x == 2, "a\\nb\\tc", "z")');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual(['x       s', '------  -------', '1       z', '2       a\\nb\\tc']);
    expect(lines.at(-2)).toBe('(150000 rows)');
  });

  it('checks a CSV header against the schema even when no cell of the misspelt column has a value', async () => {
    const r = await queryOver('h.csv', 'Timestamp,DeviceNme\n2026-03-01T11:00:00Z,\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/h\.csv:1: DeviceNetworkEvents has no column DeviceNme on defender \(did you mean DeviceName\?\)/);
    // A table outside the schema takes every header column, the empty ones as strings.
    const dir = mkdtempSync(join(tmpdir(), 'dac-query-'));
    writeFileSync(join(dir, 't.csv'), 'a,b\n1,\n');
    const t = await dac('query', '-q', 'T | getschema | project ColumnName, ColumnType', '--table', `T=${join(dir, 't.csv')}`, '--format', 'json');
    expect(JSON.parse(t.stdout).rows).toEqual([['a', 'long'], ['b', 'string']]);
  });

  it('refuses a single-value option given twice instead of keeping the last', async () => {
    const r = await dac('query', '-q', 'print 1', '-q', 'print 2');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/option --query is given more than once/);
    expect(r.stdout).toBe('');
  });

  it('a query needing an input it lacks is a usage error (exit 2), an RE2-invalid regex a query problem (exit 1); never a crash', async () => {
    const geo = await dac('query', '-q', 'print g = geo_info_from_ip_address("1.1.1.1")');
    expect(geo.code).toBe(2);
    expect(geo.stderr).toMatch(/pass it with --table geo_info_from_ip_address=path/);
    expect(geo.stderr).not.toMatch(/internal error|    at /);
    const regex = await dac('query', '-q', 'print "ab" matches regex "a(?=b)"');
    expect(regex.code).toBe(1);
    expect(regex.stderr).toMatch(/invalid regular expression .*RE2.* at 1:26$/m);
    expect(regex.stderr).not.toMatch(/internal error|    at /);
  });
});

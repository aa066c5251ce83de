import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { mutate, tempLibrary, VALID_DETECTION } from '../validate/helpers.ts';

async function dac(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

describe('dac validate', () => {
  it('exits 0 with a clean summary for a valid library', async () => {
    const dir = tempLibrary({ 'ok.yaml': VALID_DETECTION });
    const r = await dac('validate', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 files, 1 detections: 0 errors, 0 warnings/);
  });

  it('--format json prints the documented shape and exits 1 on errors', async () => {
    const dir = tempLibrary({ 'bad.yaml': mutate('severity: medium', 'severity: severe') });
    const r = await dac('validate', dir, '--format', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ files: 1, detections: 0 });
    expect(out.diagnostics[0]).toEqual({
      file: expect.stringMatching(/bad\.yaml$/), line: 5, column: 11, path: '/severity', severity: 'error', code: 'schema/enum',
      message: expect.stringContaining('severe'), hint: null,
    });
  });

  it('--format github prints workflow annotations with escaped data', async () => {
    const dir = tempLibrary({ 'bad.yaml': mutate('| where UserAgent startswith', '| where UserAgnt startswith') });
    const r = await dac('validate', join(dir, 'bad.yaml'), '--format', 'github');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error file=.*bad\.yaml,line=17,col=11,title=kql\/KS142::The name 'UserAgnt'/m);
  });

  it('a malformed YAML file is a diagnostic, not a crash', async () => {
    const dir = tempLibrary({ 'broken.yaml': 'id: [unclosed\nname: x\n' });
    const r = await dac('validate', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/broken\.yaml:\d+:\d+: error yaml\//);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('a missing path is reported', async () => {
    const r = await dac('validate', 'does/not/exist');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/does\/not\/exist:1:1: error file\/not-found/);
  });

  it('an unknown --format is a usage error (exit 2)', async () => {
    const r = await dac('validate', '--format', 'xml');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--format must be one of text, json, github/);
  });

  it('--kql-only extracts queries from Markdown, .kql and Sentinel YAML and reports binding errors', async () => {
    const dir = tempLibrary({
      'a.md': '# hunt\n\n```kql\nDeviceNetworkEvents\n| where RemotePort == 22\n```\n\n```\nnot kql at all\n```\n',
      'b.kql': 'DeviceNetworkEvents\n| where NoSuchColumn == 1\n',
      'c.yaml': 'id: x\nquery: |\n  SigninLogs\n  | where ResultType == "50126"\n',
    });
    const r = await dac('validate', '--kql-only', dir, '--format', 'json');
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ files: 3, queries: 3, clean: 2, failed: 1 });
    expect(out.diagnostics).toHaveLength(1);
    expect(out.diagnostics[0]).toMatchObject({ file: expect.stringMatching(/b\.kql$/), line: 2, column: 9, code: 'kql/KS142' });
    expect(r.code).toBe(1);
  });

  it('--help documents the options', async () => {
    const r = await dac('validate', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/--format <fmt>/);
    expect(r.stdout).toMatch(/--kql-only/);
  });
});

describe('dac', () => {
  it('lists commands and rejects unknown ones', async () => {
    expect((await dac('--help')).stdout).toMatch(/validate/);
    const r = await dac('frobnicate');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});

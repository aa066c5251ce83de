import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { repoPath } from '../../src/paths.ts';

async function dac(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

const FIXTURES = repoPath('test/golden/detections');

/** A copy of the golden fixtures plus one extra file, in a fresh folder. */
function library(extraName: string, extra: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'dac-build-cli-'));
  cpSync(FIXTURES, join(dir, 'detections'), { recursive: true });
  writeFileSync(join(dir, 'detections', extraName), extra);
  return dir;
}

const nrtSource = readFileSync(join(FIXTURES, 'sentinel-nrt-disabled-account.yaml'), 'utf8');

describe('dac build', () => {
  it('refuses a file with schema errors, reporting file:line, and still builds the others (exit 1)', async () => {
    const bad = nrtSource.replace('0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d', '1b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d').replace('severity: medium', 'severity: urgent');
    const dir = library('bad.yaml', bad);
    const out = join(dir, 'dist');
    const r = await dac('build', join(dir, 'detections'), '--out', out);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/bad\.yaml:\d+:\d+: error .*severity/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { artifacts: { detectionId: string }[] };
    expect(manifest.artifacts).toHaveLength(4);
    expect(manifest.artifacts.some((a) => a.detectionId.startsWith('1b9a8c7d'))).toBe(false);
  });

  it('fails a query that does not bind on its platform, unless --kql-warnings is given', async () => {
    const unknownTable = nrtSource.replace('0b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d', '2b9a8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d')
      .replace('name: Sign-in attempt by a disabled account', 'name: Rule on a custom table')
      .replace('SigninLogs\n', 'MyCustomTable_CL\n');
    const dir = library('custom.yaml', unknownTable);
    const strict = await dac('build', join(dir, 'detections'), '--out', join(dir, 'a'));
    expect(strict.code).toBe(1);
    // Points at the table name inside the block scalar: its line, column 3 (the query is indented by 2).
    const line = unknownTable.split('\n').findIndex((l) => l.startsWith('  MyCustomTable_CL')) + 1;
    expect(strict.stdout).toContain(`custom.yaml:${line}:3: error build/sentinel-query: emitted sentinel query does not bind:`);
    expect(strict.stdout).toMatch(/MyCustomTable_CL/);
    expect(existsSync(join(dir, 'a', 'sentinel', 'rule-on-a-custom-table.json'))).toBe(false);
    const lenient = await dac('build', join(dir, 'detections'), '--out', join(dir, 'b'), '--kql-warnings');
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/warning build\/sentinel-query/);
    expect(existsSync(join(dir, 'b', 'sentinel', 'rule-on-a-custom-table.json'))).toBe(true);
  });

  it('a missing --templates folder is a usage error (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dac-build-cli-'));
    mkdirSync(join(dir, 'detections'));
    const r = await dac('build', join(dir, 'detections'), '--out', join(dir, 'dist'), '--templates', join(dir, 'nope'));
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/--templates folder not found/);
  });
});

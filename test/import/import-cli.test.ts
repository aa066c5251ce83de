import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { validateLibrary } from '../../src/validate/validate-library.ts';

const RULE = `id: 8b3a2c1d-1111-4222-8333-944455556666
name: Many failed sign-ins
description: |
  'Accounts with many failed sign-ins.'
severity: Medium
requiredDataConnectors:
  - connectorId: AzureActiveDirectory
queryFrequency: 1h
queryPeriod: 1d
triggerOperator: gt
triggerThreshold: 0
tactics:
  - CredentialAccess
relevantTechniques:
  - T1110.003
query: |
  SigninLogs
  | where ResultType == "50126"
  | summarize Failures = count() by UserPrincipalName, IPAddress
  | where Failures > 10
entityMappings:
  - entityType: Account
    fieldMappings:
      - identifier: FullName
        columnName: UserPrincipalName
version: 1.0.2
kind: Scheduled
`;

async function dac(...argv: string[]) {
  let stdout = '';
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: () => {} });
  return { code, stdout };
}

describe('dac import', () => {
  it('writes a detection that validates clean, reports what it could not carry, and refuses to overwrite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dac-import-'));
    writeFileSync(join(dir, 'rule.yaml'), RULE);
    const out = join(dir, 'out');
    const r = await dac('import', join(dir, 'rule.yaml'), '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/not carried: requiredDataConnectors/);
    const [file] = readdirSync(out);
    expect(file).toBe('many-failed-sign-ins.yaml');
    const text = readFileSync(join(out, file!), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*schemas\/detection\.schema\.json$/);
    const result = validateLibrary([out]);
    expect(result.diagnostics).toEqual([]);
    expect(result.detections[0]!.detection).toMatchObject({
      status: 'experimental', mitre: [{ technique: 'T1110.003', tactic: 'credential-access' }],
      sentinel: { queryFrequency: 'PT1H', queryPeriod: 'P1D', triggerOperator: 'GreaterThan' }, defender: { enabled: false },
    });
    const again = await dac('import', join(dir, 'rule.yaml'), '--out', out);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/exists \(use --force to overwrite\)/);
  });

  it('skips hunting queries, fails rules it cannot convert (exit 1), and keeps two rules with one name apart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dac-import-'));
    const hunting = join(dir, 'Hunting Queries');
    mkdirSync(hunting);
    writeFileSync(join(hunting, 'hunt.yaml'), 'id: 1\nname: a hunt\nquery: SigninLogs\n');
    writeFileSync(join(dir, 'a.yaml'), RULE);
    writeFileSync(join(dir, 'b.yaml'), RULE.replace('8b3a2c1d-1111', '9c4b3d2e-2222'));
    writeFileSync(join(dir, 'c.yaml'), RULE.replace(/relevantTechniques:\n  - T1110.003\n/, ''));
    const out = join(dir, 'out');
    const r = await dac('import', dir, '--out', out, '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { imported: number; skipped: number; failed: number; results: { file: string; status: string; error: string | null }[] };
    expect(report).toMatchObject({ imported: 2, skipped: 1, failed: 1 });
    expect(report.results.find((x) => x.file.endsWith('c.yaml'))).toMatchObject({ status: 'failed', error: expect.stringMatching(/no relevantTechniques/) });
    expect(report.results.find((x) => x.file.endsWith('hunt.yaml'))).toMatchObject({ status: 'skipped', error: expect.stringMatching(/hunting query/) });
    expect(readdirSync(out).sort()).toEqual(['many-failed-sign-ins-9c4b3d2e.yaml', 'many-failed-sign-ins.yaml']);
  });
});

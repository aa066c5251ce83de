import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildLibrary, writeBuild } from '../../src/build/index.ts';
import { runCli } from '../../src/cli/main.ts';
import { loadLibrary, type LoadedDetection } from '../../src/detection/library.ts';
import { TEST_TOKEN } from '../../src/deploy/clients/credential.ts';
import { applyTargets, planTargets } from '../../src/deploy/deploy.ts';
import { summarise } from '../../src/deploy/report.ts';
import { loadTargets, type Target } from '../../src/deploy/targets.ts';
import { repoPath } from '../../src/paths.ts';
import { makeCertificate } from './server/certificate.ts';
import { MockTenant } from './server/mock-tenant.ts';

const RETRY = { maxAttempts: 10, baseDelayMs: 2, maxDelayMs: 20, timeoutMs: 5_000 };
const library = loadLibrary([repoPath('detections')]).detections;
const cert = makeCertificate();
const tenant = new MockTenant(cert);
let targets: Target[];
let targetsFile: string;
let dist: string;

function build(detections: LoadedDetection[]): void {
  const result = buildLibrary(detections);
  expect(result.diagnostics).toEqual([]);
  writeBuild(result, dist);
}

const plan = () => planTargets(targets, { dist, retry: RETRY });
const apply = (prune = false) => applyTargets(targets, { dist, retry: RETRY, prune, concurrency: 4 });

beforeAll(async () => {
  const url = await tenant.start();
  const dir = mkdtempSync(join(tmpdir(), 'dac-deploy-'));
  dist = join(dir, 'dist');
  targetsFile = join(dir, 'targets.yaml');
  // Two targets in one environment: a workspace with Defender, and a second workspace (Sentinel only, production only).
  writeFileSync(targetsFile, `environments:
  local:
    auth: test-token
    endpoints: {arm: "${url}", graph: "${url}", caFile: "${cert.caFile}"}
    targets:
      - name: soc-main
        tenantId: 11111111-1111-4111-8111-111111111111
        sentinel: {subscriptionId: 22222222-2222-4222-8222-222222222222, resourceGroup: rg-soc, workspace: ws-main}
        defender: true
      - name: soc-branch
        tenantId: 11111111-1111-4111-8111-111111111111
        sentinel: {subscriptionId: 22222222-2222-4222-8222-222222222222, resourceGroup: rg-branch, workspace: ws-branch}
        select: {statuses: [production]}
`);
  targets = loadTargets(targetsFile, 'local');
});

afterAll(async () => {
  await tenant.stop();
});

beforeEach(() => {
  tenant.setFaults({ rate: 0, kinds: [] });
});

describe('deploy against a local tenant speaking the Sentinel and Graph REST contracts', () => {
  const sentinelCount = library.filter((d) => d.detection.sentinel?.enabled).length;
  const defenderCount = library.filter((d) => d.detection.defender?.enabled).length;
  const productionSentinel = library.filter((d) => d.detection.sentinel?.enabled && d.detection.status === 'production').length;

  it('plans creates on an empty tenant, applies them, and re-plans to nothing', async () => {
    tenant.addUnmanagedSentinelRule('ws-main', '0b7a3c1e-0000-4000-8000-000000000001', 'Made in the portal');
    tenant.addUnmanagedDefenderRule('1234', 'Legacy custom detection');
    build(library);
    const before = await plan();
    expect(summarise(before)).toMatchObject({ create: sentinelCount + defenderCount + productionSentinel, update: 0, 'delete-candidate': 0, conflict: 0 });
    expect(before[0]!.unmanaged).toBe(2);
    const { outcomes } = await apply();
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    const after = await plan();
    expect(summarise(after)).toMatchObject({ create: 0, update: 0, 'delete-candidate': 0, conflict: 0 });
    expect(tenant.defender.get('1234')!.displayName).toBe('Legacy custom detection');
  });

  it('a changed detection gives exactly the updates of its artifacts, with the changed field', async () => {
    const changed = library.map((d) => (d.detection.name === 'CVE exploit signature against a device vulnerable to that CVE' ? { ...d, detection: { ...d.detection, severity: 'medium' as const } } : d));
    build(changed);
    const p = await plan();
    const updates = p.flatMap((t) => t.items.filter((i) => i.action === 'update'));
    expect(updates.map((u) => [u.platform, u.name])).toEqual([['defender', 'CVE exploit signature against a device vulnerable to that CVE']]);
    expect(updates[0]!.changes).toEqual([{ path: '/detectionAction/alertTemplate/severity', before: 'high', after: 'medium' }]);
    expect((await apply()).outcomes.filter((o) => o.action === 'update' && o.ok)).toHaveLength(1);
    expect(summarise(await plan()).update).toBe(0);
  });

  it('a removed detection is a delete candidate, deleted only with --prune; unmanaged rules are never touched', async () => {
    const removed = library.filter((d) => d.detection.name !== 'Internal ping sweep');
    const sweep = library.find((d) => d.detection.name === 'Internal ping sweep')!.detection.id;
    build(removed);
    const p = await plan();
    const candidates = p.flatMap((t) => t.items.filter((i) => i.action === 'delete-candidate').map((i) => `${t.target}/${i.platform}`));
    expect(candidates.sort()).toEqual(['soc-branch/sentinel', 'soc-main/defender', 'soc-main/sentinel']);
    await apply(false);
    expect(tenant.workspace('ws-main').has(sweep)).toBe(true);
    const { outcomes } = await apply(true);
    expect(outcomes.filter((o) => o.action === 'deleted').length).toBe(3);
    expect(tenant.workspace('ws-main').has(sweep)).toBe(false);
    expect(tenant.workspace('ws-branch').has(sweep)).toBe(false);
    expect(tenant.defender.has(`dac-${sweep}`)).toBe(false);
    expect(tenant.workspace('ws-main').has('0b7a3c1e-0000-4000-8000-000000000001')).toBe(true);
    expect(tenant.defender.has('1234')).toBe(true);
    const touchedUnmanaged = tenant.requests.filter((r) => r.method !== 'GET' && (r.path.endsWith('0b7a3c1e-0000-4000-8000-000000000001') || r.path.endsWith('/1234')));
    expect(touchedUnmanaged).toEqual([]);
    build(library);
  });

  it('converges with no duplicates under 20% injected faults (429 with Retry-After, 500, 503, dropped requests, lost responses, slow)', async () => {
    tenant.workspace('ws-main').clear();
    tenant.workspace('ws-branch').clear();
    for (const id of [...tenant.defender.keys()]) if (id.startsWith('dac-')) tenant.defender.delete(id);
    tenant.setFaults({ rate: 0.2, kinds: ['429', '500', '503', 'drop', 'drop-after', 'slow'], seed: 42, slowMs: 30 });
    const { outcomes } = await apply();
    const injected = tenant.requests.filter((r) => r.status === 429 || r.status === 500 || r.status === 503 || r.status === 'dropped').length;
    expect(injected).toBeGreaterThan(5);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    tenant.setFaults({ rate: 0, kinds: [] });
    expect(summarise(await plan())).toMatchObject({ create: 0, update: 0, 'delete-candidate': 0 });
    expect([...tenant.defender.keys()].filter((k) => k.startsWith('dac-'))).toHaveLength(defenderCount);
    expect(tenant.workspace('ws-main').size).toBe(sentinelCount);
    expect(tenant.workspace('ws-branch').size).toBe(productionSentinel);
  });

  it('an update whose response was lost is retried to success, not reported as changed since plan', async () => {
    // Portal edits on every Sentinel rule of ws-main: the plan updates them all back to the built state.
    for (const [id, rule] of tenant.workspace('ws-main')) tenant.editSentinelRule('ws-main', id, { query: `${String(rule.properties.query)}\n// edited in the portal` });
    // Every PUT that gets a fault is executed by the server and its response is then dropped: the retry carries
    // the etag the first attempt already consumed.
    tenant.setFaults({ rate: 0.5, kinds: ['drop-after'], seed: 3, methods: ['PUT'] });
    const { outcomes } = await apply();
    tenant.setFaults({ rate: 0, kinds: [] });
    expect(tenant.requests.some((r) => r.method === 'PUT' && r.status === 'dropped')).toBe(true);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(outcomes.filter((o) => o.action === 'update').length).toBe(sentinelCount);
    expect(summarise(await plan())).toMatchObject({ create: 0, update: 0 });
  });

  it('a Sentinel rule edited after the plan is reported as changed since plan and not overwritten', async () => {
    const ruleId = library.find((d) => d.detection.sentinel?.enabled)!.detection.id;
    tenant.editSentinelRule('ws-main', ruleId, { severity: 'Informational' });
    const plans = await plan();
    expect(plans[0]!.items.filter((i) => i.action === 'update').map((i) => i.ruleId)).toEqual([ruleId]);
    tenant.editSentinelRule('ws-main', ruleId, { query: 'SigninLogs | take 1 // edited in the portal' });
    const { outcomes } = await applyTargets(targets, { dist, retry: RETRY, prune: false, plans });
    const failed = outcomes.filter((o) => !o.ok);
    expect(failed.map((o) => [o.target, o.ruleId])).toEqual([['soc-main', ruleId]]);
    expect(failed[0]!.error).toMatch(/changed since plan/);
    expect(tenant.workspace('ws-main').get(ruleId)!.properties.query).toMatch(/edited in the portal/);
    // A fresh plan shows the portal edit as drift and a re-run restores the rule from git.
    expect((await apply()).outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(tenant.workspace('ws-main').get(ruleId)!.properties.query).not.toMatch(/edited in the portal/);
  });

  it('a request slower than the per-request timeout is abandoned and retried, on both APIs', async () => {
    tenant.workspace('ws-main').clear();
    for (const id of [...tenant.defender.keys()]) if (id.startsWith('dac-')) tenant.defender.delete(id);
    tenant.setFaults({ rate: 0.3, kinds: ['slow'], seed: 11, slowMs: 400 });
    const timeouts: string[] = [];
    const retry = { ...RETRY, timeoutMs: 150, onRetry: (_a: number, _d: number, reason: string) => void timeouts.push(reason) };
    const { outcomes } = await applyTargets(targets, { dist, retry, prune: false });
    tenant.setFaults({ rate: 0, kinds: [] });
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    const sentinelRetries = timeouts.filter((r) => /^(create|update|read) [0-9a-f]{8}-|Sentinel rules/.test(r));
    const graphRetries = timeouts.filter((r) => /dac-|detection rules/.test(r));
    expect(sentinelRetries.length).toBeGreaterThan(0);
    expect(graphRetries.length).toBeGreaterThan(0);
    expect(timeouts.every((r) => /abort|timeout|timed out/i.test(r))).toBe(true);
    // Slow requests are still served after the client gave up: the retries must not have made duplicates.
    await new Promise((r) => setTimeout(r, 500));
    expect(summarise(await plan())).toMatchObject({ create: 0, update: 0, 'delete-candidate': 0 });
    expect(tenant.workspace('ws-main').size).toBe(sentinelCount);
  });

  it('a rule that keeps failing is reported and does not block the others; a re-run finishes the job', async () => {
    tenant.workspace('ws-branch').clear();
    tenant.setFaults({ rate: 0.6, kinds: ['500'], seed: 7, methods: ['PUT'] });
    const first = await applyTargets(targets, { dist, retry: { ...RETRY, maxAttempts: 2 }, prune: false });
    tenant.setFaults({ rate: 0, kinds: [] });
    expect(first.outcomes.some((o) => !o.ok)).toBe(true);
    expect(first.outcomes.some((o) => o.ok)).toBe(true);
    expect(first.outcomes.find((o) => !o.ok)!.error).toMatch(/HTTP 500/);
    // Errors carry status and body excerpts, never request headers (the bearer token).
    expect(JSON.stringify(first.outcomes)).not.toContain(TEST_TOKEN);
    const second = await apply();
    expect(second.outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(summarise(await plan())).toMatchObject({ create: 0, update: 0 });
  });

  it('an unreachable tenant is reported for that target; the others are still planned and applied', async () => {
    // Port 1 on loopback refuses connections: the branch tenant is unreachable.
    const broken = targets.map((t) => (t.name === 'soc-branch' ? { ...t, endpoints: { ...t.endpoints, arm: 'https://127.0.0.1:1' } } : t));
    const { plans, outcomes } = await applyTargets(broken, { dist, retry: { ...RETRY, maxAttempts: 2 }, prune: false });
    expect(plans.find((p) => p.target === 'soc-branch')!.error).toMatch(/could not read live rules/);
    expect(plans.find((p) => p.target === 'soc-main')!.error).toBeUndefined();
    expect(outcomes).toEqual([{ target: 'soc-branch', action: 'skipped', platform: 'sentinel', ruleId: '*', name: '*', ok: false, error: expect.stringMatching(/could not read live rules/) }]);
  });

  it('dac plan works from the command line and signals drift with --fail-on-changes', async () => {
    let out = '';
    const io = { stdout: (s: string) => void (out += s), stderr: () => {} };
    expect(await runCli(['plan', '--env', 'local', '--targets', targetsFile, '--dist', dist, '--format', 'json', '--fail-on-changes'], io)).toBe(0);
    expect(JSON.parse(out).summary).toMatchObject({ create: 0, update: 0 });
    tenant.defender.delete([...tenant.defender.keys()].find((k) => k.startsWith('dac-'))!);
    out = '';
    expect(await runCli(['plan', '--env', 'local', '--targets', targetsFile, '--dist', dist, '--fail-on-changes'], io)).toBe(1);
    expect(out).toMatch(/Plan: 1 to create, 0 to update/);
    let err = '';
    expect(await runCli(['plan', '--env', 'prod', '--targets', targetsFile, '--dist', dist], { stdout: () => {}, stderr: (s) => void (err += s) })).toBe(2);
    expect(err).toMatch(/no environment 'prod'/);
  });

  it('dac apply needs --yes without a terminal, writes the outcome report, and is a no-op when re-run', async () => {
    const missing = library.find((d) => d.detection.defender?.enabled)!.detection.id;
    tenant.defender.delete(`dac-${missing}`);
    const reportDir = join(mkdtempSync(join(tmpdir(), 'dac-apply-')), 'report');
    const args = ['apply', '--env', 'local', '--targets', targetsFile, '--dist', dist, '--report-dir', reportDir];
    let err = '';
    const io = { stdout: () => {}, stderr: (s: string) => void (err += s) };
    expect(await runCli(args, io)).toBe(2);
    expect(err).toMatch(/pass --yes/);
    expect(tenant.defender.has(`dac-${missing}`)).toBe(false);
    expect(await runCli([...args, '--yes'], io)).toBe(0);
    expect(tenant.defender.has(`dac-${missing}`)).toBe(true);
    const report = JSON.parse(readFileSync(join(reportDir, 'outcome.json'), 'utf8')) as { outcomes: { action: string; ruleId: string; ok: boolean }[] };
    expect(report.outcomes).toEqual([expect.objectContaining({ action: 'create', ruleId: `dac-${missing}`, ok: true })]);
    expect(readFileSync(join(reportDir, 'outcome.md'), 'utf8')).toMatch(/\| create \|.*\| defender \| ok \|/);
    expect(await runCli([...args, '--yes'], io)).toBe(0);
    expect((JSON.parse(readFileSync(join(reportDir, 'outcome.json'), 'utf8')) as { outcomes: unknown[] }).outcomes).toEqual([]);
  });
});

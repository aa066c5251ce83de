import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DesiredRule } from '../../src/deploy/desired.ts';
import { computePlan, diffFields, type LiveRule } from '../../src/deploy/plan.ts';
import { ApiError, parseRetryAfter, withRetry } from '../../src/deploy/retry.ts';
import { loadTargets, selects, TargetsError } from '../../src/deploy/targets.ts';

const desired = (ruleId: string, body: Record<string, unknown> = { a: 1 }): DesiredRule => ({ platform: 'defender', ruleId, detectionId: ruleId, name: ruleId, hash: 'h', body });
const live = (ruleId: string, managed: boolean, body: Record<string, unknown> = { a: 1 }): LiveRule => ({ platform: 'defender', ruleId, name: ruleId, managed, body });

describe('computePlan (pure)', () => {
  it('classifies create, update, unchanged, delete-candidate and conflicts, never touching unmanaged rules', () => {
    const plan = computePlan('t', [desired('new'), desired('same'), desired('changed', { a: 2 }), desired('theirs')], [
      live('same', true), live('changed', true), live('gone', true), live('theirs', false), live('portal', false),
    ]);
    expect(plan.items.map((i) => [i.action, i.ruleId])).toEqual([
      ['conflict', 'theirs'], ['create', 'new'], ['update', 'changed'], ['delete-candidate', 'gone'], ['unchanged', 'same'],
    ]);
    expect(plan.items.find((i) => i.ruleId === 'changed')!.changes).toEqual([{ path: '/a', before: 1, after: 2 }]);
    expect(plan.unmanaged).toBe(2);
  });

  it('ignores fields the server adds and treats empty collections as absent', () => {
    expect(diffFields({ a: { b: [1, 2] }, e: [], m: {} }, { a: { b: [1, 2], serverOnly: true }, extra: 1 })).toEqual([]);
    expect(diffFields({ a: [1, 2] }, { a: [2, 1] })).toEqual([{ path: '/a/0', before: 2, after: 1 }, { path: '/a/1', before: 1, after: 2 }]);
  });
});

describe('targets file', () => {
  const write = (text: string) => {
    const file = join(mkdtempSync(join(tmpdir(), 'dac-targets-')), 'targets.yaml');
    writeFileSync(file, text);
    return file;
  };
  const valid = `environments:
  production:
    select: {statuses: [production]}
    targets:
      - name: contoso
        tenantId: 11111111-1111-4111-8111-111111111111
        defender: true
`;

  it('loads an environment with public-cloud defaults and merged selections', () => {
    const [t] = loadTargets(write(valid), 'production');
    expect(t).toMatchObject({ name: 'contoso', defender: true, auth: 'default', endpoints: { arm: 'https://management.azure.com', graph: 'https://graph.microsoft.com', graphVersion: 'beta' } });
    expect(selects(t!.select, { detectionId: 'x', status: 'production', tags: [] })).toBe(true);
    expect(selects(t!.select, { detectionId: 'x', status: 'test', tags: [] })).toBe(false);
    expect(t!.endpoints).toMatchObject({ armScope: 'https://management.azure.com/.default', graphScope: 'https://graph.microsoft.com/.default' });
  });

  it('derives token scopes from overridden endpoints (sovereign clouds)', () => {
    const gov = valid.replace('  production:\n', '  production:\n    endpoints: {arm: "https://management.usgovcloudapi.net/", graph: "https://graph.microsoft.us"}\n');
    const [t] = loadTargets(write(gov), 'production');
    expect(t!.endpoints).toMatchObject({ arm: 'https://management.usgovcloudapi.net/', armScope: 'https://management.usgovcloudapi.net/.default', graphScope: 'https://graph.microsoft.us/.default' });
  });

  it('reports schema errors with line numbers, unknown environments with a suggestion, and empty targets', () => {
    expect(() => loadTargets(write(valid.replace('tenantId', 'tenant')), 'production')).toThrow(/targets\.yaml:5:\d+: .*must have required property 'tenantId'/);
    expect(() => loadTargets(write(valid), 'prodution')).toThrow(/did you mean 'production'/);
    expect(() => loadTargets(write(valid.replace('        defender: true\n', '')), 'production')).toThrow(TargetsError);
  });
});

describe('retries', () => {
  it('retries retryable failures with backoff, honours Retry-After, and gives up on client errors', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry('op', async () => {
      calls++;
      if (calls === 1) throw new ApiError('throttled', 429, 40);
      if (calls === 2) throw new ApiError('server', 503);
      return 'done';
    }, { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 1000, timeoutMs: 1000, random: () => 0.5, onRetry: (_a, d) => delays.push(d) });
    expect(result).toBe('done');
    expect(delays).toEqual([40, 1]);
    let clientCalls = 0;
    await expect(withRetry('op', async () => { clientCalls++; throw new ApiError('bad request', 400); }, { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 100 })).rejects.toThrow('bad request');
    expect(clientCalls).toBe(1);
    expect(parseRetryAfter('3')).toBe(3000);
  });

  it('does not retry when no credential is available, and says so in one line', async () => {
    let calls = 0;
    const noLogin = Object.assign(new Error('ChainedTokenCredential authentication failed.\nCredentialUnavailableError: EnvironmentCredential is unavailable…'), { name: 'AggregateAuthenticationError' });
    const failure = withRetry('list Sentinel rules', async () => { calls++; throw noLogin; }, { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 100 });
    await expect(failure).rejects.toThrow(/^list Sentinel rules: no Azure credential \(AggregateAuthenticationError\); sign in with `az login`[^\n]*$/);
    expect(calls).toBe(1);
  });
});

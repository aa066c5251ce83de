/**
 * Sentinel alert rules through the official SDK client (@azure/arm-securityinsight): its pipeline brings the
 * credential, bearer-token policy, TLS options and user agent. Requests are sent raw through that pipeline
 * (client.sendRequest) because the SDK's model serializer silently drops properties it does not know, such as
 * `subTechniques` (needed with api-version 2025-10-01-preview), which would make every re-plan show drift.
 */
import { SecurityInsights } from '@azure/arm-securityinsight';
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { SENTINEL_API_VERSION } from '../../build/index.ts';
import { sentinelMarker, type DesiredRule } from '../desired.ts';
import { diffFields, type LiveRule } from '../plan.ts';
import { ApiError, parseRetryAfter, withRetry, type RetryOptions } from '../retry.ts';
import type { Target } from '../targets.ts';
import { credentialFor, extraCa } from './credential.ts';
import type { RuleStore } from './store.ts';

const READ_ONLY = ['lastModifiedUtc'];

export function sentinelStore(target: Target, retry: RetryOptions): RuleStore {
  const s = target.sentinel!;
  const ca = extraCa(target);
  const client = new SecurityInsights(credentialFor(target), s.subscriptionId, {
    endpoint: target.endpoints.arm,
    credentialScopes: [target.endpoints.armScope],
    apiVersion: SENTINEL_API_VERSION,
    retryOptions: { maxRetries: 0 },
    userAgentOptions: { userAgentPrefix: 'kql-dac' },
    ...(ca ? { tlsOptions: { ca } } : {}),
  });
  const base = `${target.endpoints.arm.replace(/\/$/, '')}/subscriptions/${encodeURIComponent(s.subscriptionId)}/resourceGroups/${encodeURIComponent(s.resourceGroup)}/providers/Microsoft.OperationalInsights/workspaces/${encodeURIComponent(s.workspace)}/providers/Microsoft.SecurityInsights/alertRules`;
  const url = (ruleId?: string) => `${base}${ruleId ? `/${encodeURIComponent(ruleId)}` : ''}?api-version=${SENTINEL_API_VERSION}`;

  async function send(method: 'GET' | 'PUT' | 'DELETE', target: string, body: unknown, signal: AbortSignal, ok: number[]): Promise<PipelineResponse> {
    const request = createPipelineRequest({
      url: target, method, abortSignal: signal,
      headers: createHttpHeaders({ 'content-type': 'application/json', accept: 'application/json' }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const response = await client.sendRequest(request);
    if (!ok.includes(response.status)) {
      const detail = (response.bodyAsText ?? '').slice(0, 300);
      throw new ApiError(`Sentinel ${method} ${new URL(target).pathname.split('/').slice(-2).join('/')}: HTTP ${response.status} ${detail}`, response.status, parseRetryAfter(response.headers.get('retry-after')));
    }
    return response;
  }

  const toLive = (raw: { name: string; kind: string; etag?: string; properties?: Record<string, unknown> }): LiveRule => {
    const properties = { ...(raw.properties ?? {}) };
    for (const k of READ_ONLY) delete properties[k];
    const description = String(properties.description ?? '');
    return {
      platform: 'sentinel', ruleId: raw.name, name: String(properties.displayName ?? raw.name),
      managed: description.endsWith(sentinelMarker(raw.name)), body: { kind: raw.kind, properties },
      ...(raw.etag ? { etag: raw.etag } : {}),
    };
  };

  return {
    platform: 'sentinel',
    async list() {
      const rules: LiveRule[] = [];
      let next: string | undefined = url();
      for (let page = 0; next && page < 1000; page++) {
        const pageUrl: string = next;
        const res = await withRetry('list Sentinel rules', (signal) => send('GET', pageUrl, undefined, signal, [200]), retry);
        const json = JSON.parse(res.bodyAsText ?? '{}') as { value?: []; nextLink?: string };
        rules.push(...(json.value ?? []).map(toLive));
        next = json.nextLink;
      }
      return rules;
    },
    async create(rule: DesiredRule) {
      await withRetry(`create ${rule.ruleId}`, (signal) => send('PUT', url(rule.ruleId), rule.body, signal, [200, 201]), retry);
    },
    async update(rule: DesiredRule, live: LiveRule) {
      // The etag read at plan time makes the PUT conditional: a rule edited since then is not overwritten.
      const body = live.etag ? { ...rule.body, etag: live.etag } : rule.body;
      try {
        await withRetry(`update ${rule.ruleId}`, (signal) => send('PUT', url(rule.ruleId), body, signal, [200, 201]), retry);
      } catch (err) {
        // The spec declares no status for a stale etag (reference §2): 409/412, or any 4xx that names the etag.
        const stale = err instanceof ApiError && (err.status === 412 || err.status === 409 || (err.status === 400 && /etag/i.test(err.message)));
        if (!stale) throw err;
        // Either our own earlier attempt succeeded but its response was lost (the retry then carries a stale
        // etag), or someone changed the rule since the plan. Only the second is a failure.
        const res = await withRetry(`read ${rule.ruleId}`, (signal) => send('GET', url(rule.ruleId), undefined, signal, [200, 404]), retry);
        const current = res.status === 200 ? toLive(JSON.parse(res.bodyAsText ?? '{}')) : undefined;
        if (current && diffFields(rule.body, current.body).length === 0) return;
        throw new ApiError(`Sentinel rule ${rule.ruleId} changed since plan (etag mismatch); nothing was written: re-run \`dac plan\` and apply again`, err.status);
      }
    },
    async remove(live: LiveRule) {
      await withRetry(`delete ${live.ruleId}`, (signal) => send('DELETE', url(live.ruleId), undefined, signal, [200, 204, 404]), retry);
    },
  };
}

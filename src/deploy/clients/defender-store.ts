/**
 * Defender XDR custom detections through the official Microsoft Graph client
 * (@microsoft/microsoft-graph-client) at security/rules/detectionRules. The middleware chain is built by hand
 * (authentication → HTTP) to leave out the client's RetryHandler: retries are ours, in one place.
 */
import { AuthenticationHandler, Client, GraphError, HTTPMessageHandler } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import { Agent } from 'undici';
import { defenderRuleId } from '../../build/index.ts';
import type { DesiredRule } from '../desired.ts';
import type { LiveRule } from '../plan.ts';
import { ApiError, credentialError, parseRetryAfter, withRetry, type RetryOptions } from '../retry.ts';
import type { Target } from '../targets.ts';
import { credentialFor, extraCa } from './credential.ts';
import type { RuleStore } from './store.ts';

const PATH = '/security/rules/detectionRules';
const READ_ONLY = ['createdBy', 'createdDateTime', 'lastModifiedBy', 'lastModifiedDateTime', 'lastRunDetails', 'detectorId', 'isEnabled'];
const MANAGED_PREFIX = defenderRuleId('');

export function defenderStore(target: Target, retry: RetryOptions): RuleStore {
  const ca = extraCa(target);
  const auth = new AuthenticationHandler(new TokenCredentialAuthenticationProvider(credentialFor(target), { scopes: [target.endpoints.graphScope] }));
  auth.setNext(new HTTPMessageHandler());
  const graphUrl = new URL(target.endpoints.graph);
  const client = Client.initWithMiddleware({
    middleware: auth,
    baseUrl: `${graphUrl.origin}/`,
    defaultVersion: target.endpoints.graphVersion,
    customHosts: new Set([graphUrl.hostname]),
    ...(ca ? { fetchOptions: { dispatcher: new Agent({ connect: { ca } }) } as RequestInit } : {}),
  });

  // Each attempt gets the retry policy's timeout signal (fetch option `signal`), so a hung request is abandoned and retried.
  const call = async <T>(what: string, fn: (signal: AbortSignal) => Promise<T>, okStatuses: number[] = []): Promise<T | undefined> =>
    withRetry(what, async (signal) => {
      try {
        return await fn(signal);
      } catch (err) {
        if (err instanceof GraphError) {
          if (okStatuses.includes(err.statusCode)) return undefined;
          const noCredential = credentialError(`Graph ${what}`, err.code ?? undefined);
          if (noCredential) throw noCredential;
          const retryAfter = parseRetryAfter(err.headers?.get('retry-after'));
          throw new ApiError(`Graph ${what}: HTTP ${err.statusCode} ${err.code ?? ''} ${(err.message ?? '').slice(0, 200)}`.trim(), err.statusCode > 0 ? err.statusCode : undefined, retryAfter);
        }
        throw err;
      }
    }, retry);

  const toLive = (raw: Record<string, unknown>): LiveRule => {
    const body = { ...raw };
    for (const k of Object.keys(body)) if (READ_ONLY.includes(k) || k.startsWith('@odata')) delete body[k];
    const schedule = body.schedule as Record<string, unknown> | undefined;
    if (schedule) body.schedule = Object.fromEntries(Object.entries(schedule).filter(([k]) => k !== 'nextRunDateTime' && k !== 'period'));
    const query = body.queryCondition as Record<string, unknown> | undefined;
    if (query) body.queryCondition = Object.fromEntries(Object.entries(query).filter(([k]) => k !== 'lastModifiedDateTime'));
    const id = String(raw.id);
    return { platform: 'defender', ruleId: id, name: String(raw.displayName ?? id), managed: id.startsWith(MANAGED_PREFIX), body };
  };

  return {
    platform: 'defender',
    async list() {
      const rules: LiveRule[] = [];
      let next: string | undefined = PATH;
      for (let page = 0; next && page < 1000; page++) {
        const pageUrl: string = next;
        const res = (await call('list detection rules', (signal) => client.api(pageUrl).option('signal', signal).get())) as { value?: Record<string, unknown>[]; '@odata.nextLink'?: string };
        rules.push(...(res.value ?? []).map(toLive));
        next = res['@odata.nextLink'];
      }
      return rules;
    },
    async create(rule: DesiredRule) {
      try {
        await call(`create ${rule.ruleId}`, (signal) => client.api(PATH).option('signal', signal).post(rule.body));
      } catch (err) {
        // A create whose response was lost is retried; the rule then exists: converge with an update.
        if (err instanceof ApiError && err.status === 409) await this.update(rule, { platform: 'defender', ruleId: rule.ruleId, name: rule.name, managed: true, body: {} });
        else throw err;
      }
    },
    async update(rule: DesiredRule) {
      const { id: _id, ...patch } = rule.body;
      await call(`update ${rule.ruleId}`, (signal) => client.api(`${PATH}/${encodeURIComponent(rule.ruleId)}`).option('signal', signal).patch(patch));
    },
    async remove(live: LiveRule) {
      await call(`delete ${live.ruleId}`, (signal) => client.api(`${PATH}/${encodeURIComponent(live.ruleId)}`).option('signal', signal).delete(), [404]);
    },
  };
}

/**
 * A local HTTPS server implementing the REST contracts the deploy step uses, so the real SDK clients are
 * exercised end to end: Sentinel alertRules (ARM, api-version, nextLink paging, etags, 200/201/204/404/412)
 * and Graph security/rules/detectionRules (@odata.nextLink paging, POST 201/409, PATCH, DELETE 204/404).
 * It can inject faults: 429 with Retry-After, 500/503, dropped connections and slow responses.
 * It listens on 127.0.0.1 only.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from './certificate.ts';

export interface FaultPlan {
  /** Probability (0..1) that a request gets a fault instead of being served. */
  rate: number;
  /** drop: connection closed before serving; drop-after: served (state changed), then the response is lost. */
  kinds: ('429' | '500' | '503' | 'drop' | 'drop-after' | 'slow')[];
  /** Seed for the deterministic fault sequence. */
  seed?: number;
  slowMs?: number;
  /** Only these HTTP methods get faults (default: all). */
  methods?: string[];
}

interface SentinelRule {
  name: string;
  kind: string;
  etag: string;
  properties: Record<string, unknown>;
}

export class MockTenant {
  /** Sentinel rules per workspace name. */
  readonly workspaces = new Map<string, Map<string, SentinelRule>>();
  readonly defender = new Map<string, Record<string, unknown>>();
  readonly requests: { method: string; path: string; status: number | 'dropped' }[] = [];
  faults: FaultPlan = { rate: 0, kinds: [] };
  pageSize = 3;
  token = 'kql-dac-local-test-token';
  private server: Server | undefined;
  private rand = mulberry32(1);
  private etagCounter = 0;

  constructor(private readonly cert: TestCertificate) {}

  get url(): string {
    return `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  setFaults(plan: FaultPlan): void {
    this.faults = plan;
    this.rand = mulberry32(plan.seed ?? 1);
  }

  async start(port = 0): Promise<string> {
    this.server = createServer({ key: this.cert.key, cert: this.cert.cert }, (req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  workspace(name: string): Map<string, SentinelRule> {
    let rules = this.workspaces.get(name);
    if (!rules) this.workspaces.set(name, (rules = new Map()));
    return rules;
  }

  /** A rule created by hand in the portal: never managed by kql-dac. */
  addUnmanagedSentinelRule(workspace: string, name: string, displayName: string): void {
    this.workspace(workspace).set(name, { name, kind: 'Scheduled', etag: this.nextEtag(), properties: { displayName, description: 'made in the portal', enabled: true, severity: 'Low', query: 'SigninLogs' } });
  }

  addUnmanagedDefenderRule(id: string, displayName: string): void {
    this.defender.set(id, { id, displayName, status: 'enabled', queryCondition: { queryText: 'DeviceEvents' }, schedule: { frequency: 'PT1H' }, detectionAction: { alertTemplate: { title: displayName, severity: 'low' } } });
  }

  /** A portal edit: changes properties of a Sentinel rule and gives it a new etag. */
  editSentinelRule(workspace: string, name: string, properties: Record<string, unknown>): void {
    const rule = this.workspace(workspace).get(name)!;
    this.workspace(workspace).set(name, { ...rule, etag: this.nextEtag(), properties: { ...rule.properties, ...properties } });
  }

  private nextEtag(): string {
    return `"${++this.etagCounter}"`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const log = (status: number | 'dropped') => this.requests.push({ method: req.method ?? '', path: url.pathname, status });
    const body = await readBody(req);
    if (this.faults.rate > 0 && (!this.faults.methods || this.faults.methods.includes(req.method ?? '')) && this.rand() < this.faults.rate) {
      const kind = this.faults.kinds[Math.floor(this.rand() * this.faults.kinds.length)]!;
      if (kind === 'drop') {
        log('dropped');
        req.socket.destroy();
        return;
      }
      if (kind === 'drop-after') {
        // Serve the request against a throwaway response, then cut the connection: the client never learns it worked.
        const sink = Object.assign(Object.create(res) as ServerResponse, { writeHead: () => sink, end: () => sink });
        this.route(req, url, body, sink, () => log('dropped'));
        req.socket.destroy();
        return;
      }
      if (kind === 'slow') await new Promise((r) => setTimeout(r, this.faults.slowMs ?? 200));
      else {
        const status = Number(kind);
        log(status);
        res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '0' } : {}) });
        res.end(JSON.stringify({ error: { code: status === 429 ? 'TooManyRequests' : 'ServerError', message: 'injected fault' } }));
        return;
      }
    }
    this.route(req, url, body, res, log);
  }

  private route(req: IncomingMessage, url: URL, body: string, res: ServerResponse, log: (s: number | 'dropped') => void): void {
    if (req.headers.authorization !== `Bearer ${this.token}`) return this.send(res, log, 401, { error: { code: 'InvalidAuthenticationToken', message: 'missing or wrong bearer token' } });
    const sentinelMatch = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/([^/]+)\/providers\/Microsoft\.SecurityInsights\/alertRules(?:\/([^/]+))?$/.exec(url.pathname);
    if (sentinelMatch) return this.sentinelRoute(this.workspace(sentinelMatch[1]!), req.method!, sentinelMatch[2], url, body, res, log);
    const graphMatch = /^\/(beta|v1\.0)\/security\/rules\/detectionRules(?:\/([^/]+))?$/.exec(url.pathname);
    if (graphMatch) return this.graphRoute(req.method!, graphMatch[2], url, body, res, log);
    this.send(res, log, 404, { error: { code: 'NotFound', message: `no route ${url.pathname}` } });
  }

  private send(res: ServerResponse, log: (s: number) => void, status: number, json?: unknown): void {
    log(status);
    res.writeHead(status, json === undefined ? {} : { 'content-type': 'application/json' });
    res.end(json === undefined ? undefined : JSON.stringify(json));
  }

  private sentinelRoute(rules: Map<string, SentinelRule>, method: string, ruleId: string | undefined, url: URL, body: string, res: ServerResponse, log: (s: number) => void): void {
    if (!url.searchParams.get('api-version')) return this.send(res, log, 400, { error: { code: 'MissingApiVersionParameter', message: 'api-version is required' } });
    const view = (r: SentinelRule) => ({ id: `${url.pathname.replace(/\/[^/]+$/, '')}/${r.name}`, name: r.name, type: 'Microsoft.SecurityInsights/alertRules', kind: r.kind, etag: r.etag, properties: { ...r.properties, lastModifiedUtc: '2026-01-01T00:00:00Z' } });
    if (!ruleId && method === 'GET') {
      const all = [...rules.values()].sort((a, b) => a.name.localeCompare(b.name));
      const skip = Number(url.searchParams.get('$skipToken') ?? 0);
      const page = all.slice(skip, skip + this.pageSize);
      const next = skip + this.pageSize < all.length ? new URL(url.href.replace('https://localhost', this.url)) : undefined;
      next?.searchParams.set('$skipToken', String(skip + this.pageSize));
      return this.send(res, log, 200, { value: page.map(view), ...(next ? { nextLink: next.href } : {}) });
    }
    if (!ruleId) return this.send(res, log, 405);
    const existing = rules.get(ruleId);
    if (method === 'GET') return existing ? this.send(res, log, 200, view(existing)) : this.send(res, log, 404, { error: { code: 'NotFound', message: 'rule not found' } });
    if (method === 'DELETE') {
      if (!existing) return this.send(res, log, 204);
      rules.delete(ruleId);
      return this.send(res, log, 200);
    }
    if (method === 'PUT') {
      const parsed = JSON.parse(body) as { kind?: string; etag?: string; properties?: Record<string, unknown> };
      if (!parsed.kind || !parsed.properties) return this.send(res, log, 400, { error: { code: 'BadRequest', message: 'kind and properties are required' } });
      if (parsed.etag && existing && parsed.etag !== existing.etag) return this.send(res, log, 412, { error: { code: 'PreconditionFailed', message: 'etag mismatch: the rule changed' } });
      const rule = { name: ruleId, kind: parsed.kind, etag: this.nextEtag(), properties: parsed.properties };
      rules.set(ruleId, rule);
      return this.send(res, log, existing ? 200 : 201, view(rule));
    }
    this.send(res, log, 405);
  }

  private graphRoute(method: string, id: string | undefined, url: URL, body: string, res: ServerResponse, log: (s: number) => void): void {
    const view = (r: Record<string, unknown>) => ({ ...r, createdBy: 'app', createdDateTime: '2026-01-01T00:00:00Z', lastModifiedDateTime: '2026-01-01T00:00:00Z' });
    if (!id && method === 'GET') {
      const all = [...this.defender.values()].sort((a, b) => String(a.id).localeCompare(String(b.id)));
      const skip = Number(url.searchParams.get('$skip') ?? 0);
      const page = all.slice(skip, skip + this.pageSize);
      const next = skip + this.pageSize < all.length ? `${this.url}${url.pathname}?$skip=${skip + this.pageSize}` : undefined;
      return this.send(res, log, 200, { '@odata.context': 'mock', value: page.map(view), ...(next ? { '@odata.nextLink': next } : {}) });
    }
    if (!id && method === 'POST') {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      if (typeof parsed.id !== 'string') return this.send(res, log, 400, { error: { code: 'BadRequest', message: 'id is required' } });
      if (this.defender.has(parsed.id)) return this.send(res, log, 409, { error: { code: 'Conflict', message: 'rule exists' } });
      this.defender.set(parsed.id, parsed);
      return this.send(res, log, 201, view(parsed));
    }
    if (!id) return this.send(res, log, 405);
    const existing = this.defender.get(decodeURIComponent(id));
    if (!existing) return this.send(res, log, 404, { error: { code: 'NotFound', message: 'rule not found' } });
    if (method === 'GET') return this.send(res, log, 200, view(existing));
    if (method === 'PATCH') {
      const updated = { ...existing, ...(JSON.parse(body) as Record<string, unknown>), id: existing.id };
      this.defender.set(String(existing.id), updated);
      return this.send(res, log, 200, view(updated));
    }
    if (method === 'DELETE') {
      this.defender.delete(String(existing.id));
      return this.send(res, log, 204);
    }
    this.send(res, log, 405);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

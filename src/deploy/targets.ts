/** deploy/targets.yaml: environments and their targets, schema-checked and reported like detection files. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { loadSourceFile } from '../detection/load-file.ts';
import { createAjv } from '../detection/schema-check.ts';
import type { Status } from '../detection/types.ts';
import { repoPath } from '../paths.ts';
import { closest } from '../util/did-you-mean.ts';

export interface Selection {
  statuses?: Status[];
  tags?: string[];
  excludeTags?: string[];
  ids?: string[];
}

export interface Endpoints {
  arm: string;
  armScope: string;
  graph: string;
  graphScope: string;
  graphVersion: 'beta' | 'v1.0';
  /** Absolute path of an extra CA certificate to trust (test servers). */
  caFile?: string;
}

export interface Target {
  environment: string;
  name: string;
  tenantId: string;
  sentinel?: { subscriptionId: string; resourceGroup: string; workspace: string };
  defender: boolean;
  select: Selection[];
  endpoints: Endpoints;
  auth: 'default' | 'test-token';
}

export const PUBLIC_CLOUD: Endpoints = {
  arm: 'https://management.azure.com',
  armScope: 'https://management.azure.com/.default',
  graph: 'https://graph.microsoft.com',
  graphScope: 'https://graph.microsoft.com/.default',
  // The current detectionRule schema (client ids, status, frequency/lookback) is documented on beta first.
  graphVersion: 'beta',
};

let validator: ValidateFunction | undefined;

export class TargetsError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`).join('\n'));
  }
}

interface RawEnv {
  endpoints?: Partial<Endpoints>;
  auth?: Target['auth'];
  select?: Selection;
  targets: (Omit<Target, 'environment' | 'select' | 'endpoints' | 'auth' | 'defender'> & { defender?: boolean; select?: Selection })[];
}

/** The targets of environment `env`; throws TargetsError with file/line diagnostics on any problem. */
export function loadTargets(file: string, env: string): Target[] {
  const source = loadSourceFile(file);
  if (source.diagnostics.length) throw new TargetsError(source.diagnostics);
  validator ??= createAjv().compile(JSON.parse(readFileSync(repoPath('schemas/targets.schema.json'), 'utf8')));
  if (!validator(source.data)) {
    throw new TargetsError((validator.errors ?? []).map((e) => {
      const path = e.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      const pos = source.source!.positionOf(path);
      const extra = e.keyword === 'additionalProperties' ? ` \`${String((e.params as { additionalProperty: string }).additionalProperty)}\`` : '';
      return { file, line: pos.line, column: pos.column, path: e.instancePath, severity: 'error' as const, code: `targets/${e.keyword}`, message: `${e.instancePath || '/'} ${e.message}${extra}` };
    }));
  }
  const data = source.data as { environments: Record<string, RawEnv> };
  const environment = data.environments[env];
  if (!environment) {
    const names = Object.keys(data.environments);
    const guess = closest(env, names);
    throw new TargetsError([{ file, line: 1, column: 1, path: '/environments', severity: 'error', code: 'targets/unknown-environment', message: `no environment '${env}' in ${file}`, hint: guess ? `did you mean '${guess}'?` : `environments: ${names.join(', ')}` }]);
  }
  environment.targets.forEach((t, i) => {
    if (!t.sentinel && !t.defender) {
      const pos = source.source!.positionOf(['environments', env, 'targets', i]);
      throw new TargetsError([{ file, ...pos, path: `/environments/${env}/targets/${i}`, severity: 'error', code: 'targets/empty-target', message: `target ${t.name} deploys nothing`, hint: 'add a sentinel workspace and/or defender: true' }]);
    }
  });
  const endpoints: Endpoints = { ...PUBLIC_CLOUD, ...environment.endpoints };
  // Token audiences follow the endpoints (sovereign clouds: management.usgovcloudapi.net, graph.microsoft.us, …)
  // unless given explicitly.
  if (!environment.endpoints?.armScope) endpoints.armScope = `${new URL(endpoints.arm).origin}/.default`;
  if (!environment.endpoints?.graphScope) endpoints.graphScope = `${new URL(endpoints.graph).origin}/.default`;
  if (endpoints.caFile) endpoints.caFile = resolve(dirname(file), endpoints.caFile);
  return environment.targets.map((t) => ({
    environment: env,
    name: t.name,
    tenantId: t.tenantId,
    ...(t.sentinel ? { sentinel: t.sentinel } : {}),
    defender: t.defender ?? false,
    select: [environment.select, t.select].filter((s): s is Selection => Boolean(s)),
    endpoints,
    auth: environment.auth ?? 'default',
  }));
}

export function selects(selections: readonly Selection[], d: { detectionId: string; status: Status; tags: string[] }): boolean {
  return selections.every((s) =>
    (!s.statuses || s.statuses.includes(d.status)) &&
    (!s.tags || s.tags.some((t) => d.tags.includes(t))) &&
    (!s.excludeTags || !s.excludeTags.some((t) => d.tags.includes(t))) &&
    (!s.ids || s.ids.map((x) => x.toLowerCase()).includes(d.detectionId.toLowerCase())));
}

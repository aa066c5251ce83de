/**
 * The plan is a pure function of (desired, live), like Terraform's: apply only executes it. Rules this
 * toolkit did not create are never updated or proposed for deletion.
 */
import type { Platform } from '../kql/table-schemas.ts';
import type { DesiredRule } from './desired.ts';

export interface LiveRule {
  platform: Platform;
  ruleId: string;
  name: string;
  /** Created by this toolkit (Sentinel: description marker; Defender: `dac-` id). */
  managed: boolean;
  /** Normalised body, comparable with DesiredRule.body (read-only server fields removed). */
  body: Record<string, unknown>;
  etag?: string;
}

export type Action = 'create' | 'update' | 'unchanged' | 'delete-candidate' | 'conflict';

export interface FieldChange {
  path: string;
  before: unknown;
  after: unknown;
}

export interface PlanItem {
  action: Action;
  platform: Platform;
  ruleId: string;
  name: string;
  desired?: DesiredRule;
  live?: LiveRule;
  changes: FieldChange[];
  /** Why, for conflicts. */
  reason?: string;
}

export interface TargetPlan {
  target: string;
  items: PlanItem[];
  /** Live rules not created by this toolkit: listed for information, never touched. */
  unmanaged: number;
  /** Set when the target's live rules could not be read: nothing is planned or applied there. */
  error?: string;
}

export function computePlan(target: string, desired: readonly DesiredRule[], live: readonly LiveRule[]): TargetPlan {
  const key = (p: Platform, id: string) => `${p}|${id.toLowerCase()}`;
  const liveByKey = new Map(live.map((r) => [key(r.platform, r.ruleId), r]));
  const items: PlanItem[] = [];
  for (const d of desired) {
    const l = liveByKey.get(key(d.platform, d.ruleId));
    if (!l) items.push({ action: 'create', platform: d.platform, ruleId: d.ruleId, name: d.name, desired: d, changes: [] });
    else if (!l.managed) {
      items.push({ action: 'conflict', platform: d.platform, ruleId: d.ruleId, name: d.name, desired: d, live: l, changes: [], reason: 'a rule with this id exists but was not created by kql-dac; it is left untouched' });
    } else {
      const changes = diffFields(d.body, l.body);
      items.push({ action: changes.length ? 'update' : 'unchanged', platform: d.platform, ruleId: d.ruleId, name: d.name, desired: d, live: l, changes });
    }
  }
  const desiredKeys = new Set(desired.map((d) => key(d.platform, d.ruleId)));
  for (const l of live) {
    if (l.managed && !desiredKeys.has(key(l.platform, l.ruleId))) items.push({ action: 'delete-candidate', platform: l.platform, ruleId: l.ruleId, name: l.name, live: l, changes: [] });
  }
  const order: Record<Action, number> = { conflict: 0, create: 1, update: 2, 'delete-candidate': 3, unchanged: 4 };
  items.sort((a, b) => order[a.action] - order[b.action] || a.platform.localeCompare(b.platform) || a.name.localeCompare(b.name));
  return { target, items, unmanaged: live.filter((l) => !l.managed).length };
}

/** Differences on the fields we send; fields the server adds on its own are not drift. */
export function diffFields(desired: unknown, live: unknown, path = ''): FieldChange[] {
  // APIs often omit empty collections in responses: an empty list or map we send equals an absent one.
  if ((live === undefined || live === null) && ((Array.isArray(desired) && desired.length === 0) || (isObject(desired) && Object.keys(desired).length === 0))) return [];
  if (isObject(desired)) {
    if (!isObject(live)) return [{ path: path || '/', before: live, after: desired }];
    return Object.keys(desired).flatMap((k) => diffFields(desired[k], live[k], `${path}/${k}`));
  }
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return [{ path, before: live, after: desired }];
    return desired.flatMap((v, i) => diffFields(v, live[i], `${path}/${i}`));
  }
  const normalise = (v: unknown) => (v === undefined ? null : v);
  return normalise(desired) === normalise(live) ? [] : [{ path, before: live, after: desired }];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

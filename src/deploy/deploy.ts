/** plan and apply over every target of an environment. */
import type { Target } from './targets.ts';
import { desiredRules, readManifest } from './desired.ts';
import { computePlan, type PlanItem, type TargetPlan } from './plan.ts';
import { mapLimit, DEFAULT_RETRY, type RetryOptions } from './retry.ts';
import { defenderStore } from './clients/defender-store.ts';
import { sentinelStore } from './clients/sentinel-store.ts';
import type { RuleStore } from './clients/store.ts';

export interface DeployOptions {
  dist: string;
  retry?: RetryOptions;
  /** Requests in flight per target. */
  concurrency?: number;
  /** Replaces the real API clients (tests of the orchestration only). */
  storesFor?: (target: Target) => RuleStore[];
  onProgress?: (event: ProgressEvent) => void;
}

export type ProgressEvent =
  | { kind: 'reading'; target: string }
  | { kind: 'planned'; target: string; changes: number }
  | { kind: 'applied'; target: string; done: number; total: number; item: PlanItem; ok: boolean };

export interface Outcome {
  target: string;
  action: PlanItem['action'] | 'deleted' | 'skipped';
  platform: PlanItem['platform'];
  ruleId: string;
  name: string;
  ok: boolean;
  error?: string;
}

function stores(target: Target, options: DeployOptions): RuleStore[] {
  if (options.storesFor) return options.storesFor(target);
  const retry = options.retry ?? DEFAULT_RETRY;
  return [...(target.sentinel ? [sentinelStore(target, retry)] : []), ...(target.defender ? [defenderStore(target, retry)] : [])];
}

export async function planTargets(targets: readonly Target[], options: DeployOptions): Promise<TargetPlan[]> {
  const manifest = readManifest(options.dist);
  const plans: TargetPlan[] = [];
  for (const target of targets) {
    options.onProgress?.({ kind: 'reading', target: target.name });
    const desired = desiredRules(options.dist, manifest, target);
    let live;
    try {
      live = (await Promise.all(stores(target, options).map((s) => s.list()))).flat();
    } catch (err) {
      // One unreachable tenant must not hide the plans of the others.
      plans.push({ target: target.name, items: [], unmanaged: 0, error: `could not read live rules: ${(err as Error).message}` });
      continue;
    }
    const plan = computePlan(target.name, desired, live);
    options.onProgress?.({ kind: 'planned', target: target.name, changes: plan.items.filter((i) => i.action !== 'unchanged').length });
    plans.push(plan);
  }
  return plans;
}

/**
 * Executes a plan (the one given, e.g. the plan the user confirmed, else a fresh one): creates and updates
 * always, deletions only with prune and only of managed rules. Sentinel updates are conditional on the etag
 * read when planning, so a rule changed since then is reported, not overwritten. A failing rule is recorded
 * and the others continue; re-running finishes what failed.
 */
export async function applyTargets(targets: readonly Target[], options: DeployOptions & { prune: boolean; plans?: TargetPlan[] }): Promise<{ plans: TargetPlan[]; outcomes: Outcome[] }> {
  const plans = options.plans ?? (await planTargets(targets, options));
  const outcomes: Outcome[] = [];
  for (const [i, target] of targets.entries()) {
    const plan = plans[i]!;
    if (plan.error) {
      outcomes.push({ target: target.name, action: 'skipped', platform: target.sentinel ? 'sentinel' : 'defender', ruleId: '*', name: '*', ok: false, error: plan.error });
      continue;
    }
    const byPlatform = new Map(stores(target, options).map((s) => [s.platform, s]));
    const work = plan.items.filter((it) => it.action !== 'unchanged');
    let done = 0;
    const results = await mapLimit(work, options.concurrency ?? 4, async (item): Promise<Outcome> => {
      const base = { target: target.name, platform: item.platform, ruleId: item.ruleId, name: item.name };
      const store = byPlatform.get(item.platform)!;
      let outcome: Outcome;
      try {
        if (item.action === 'create') await store.create(item.desired!);
        else if (item.action === 'update') await store.update(item.desired!, item.live!);
        else if (item.action === 'delete-candidate' && options.prune) await store.remove(item.live!);
        outcome =
          item.action === 'conflict' ? { ...base, action: 'conflict', ok: false, error: item.reason! }
          : item.action === 'delete-candidate' ? { ...base, action: options.prune ? 'deleted' : 'skipped', ok: true, ...(options.prune ? {} : { error: 'not deleted: run with --prune' }) }
          : { ...base, action: item.action, ok: true };
      } catch (err) {
        outcome = { ...base, action: item.action, ok: false, error: (err as Error).message };
      }
      options.onProgress?.({ kind: 'applied', target: target.name, done: ++done, total: work.length, item, ok: outcome.ok });
      return outcome;
    });
    outcomes.push(...results);
  }
  return { plans, outcomes };
}

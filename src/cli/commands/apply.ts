import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { applyTargets, planTargets } from '../../deploy/deploy.ts';
import type { TargetPlan } from '../../deploy/plan.ts';
import { outcomesToMarkdown, planToText, summarise } from '../../deploy/report.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { DEPLOY_OPTIONS, deployError, deployProgress, targetsFrom } from '../deploy-common.ts';

export const command: Command = {
  name: 'apply',
  summary: 'Execute the plan: create and update rules, delete managed ones only with --prune',
  usage: '--env NAME [--targets deploy/targets.yaml] [--dist dist] [--prune] [--yes] [--report-dir out/deploy]',
  description: [
    'Executes the plan shown for confirmation (with --yes: a fresh plan) with retries (429/5xx, Retry-After',
    'honoured) and bounded concurrency. A Sentinel rule edited since the plan is reported, not overwritten.',
    'A failing rule does not stop the others; re-running finishes the job and changes nothing once converged.',
    'Writes outcome.json and outcome.md to the report folder. Exit 1 when any rule failed.',
    'Without --yes, asks for confirmation on a terminal; in CI (no terminal) --yes is required.',
  ].join('\n'),
  options: {
    ...DEPLOY_OPTIONS,
    prune: { type: 'boolean', description: 'Delete managed rules whose detection was removed' },
    yes: { type: 'boolean', short: 'y', description: 'Do not ask for confirmation' },
    'report-dir': { type: 'string', description: 'Where to write outcome.json and outcome.md (default: out/deploy)', valueName: 'dir' },
  },
  async run(ctx) {
    const targets = targetsFrom(ctx);
    const dist = (ctx.values.dist as string | undefined) ?? 'dist';
    const prune = Boolean(ctx.values.prune);
    let confirmed: TargetPlan[] | undefined;
    if (!ctx.values.yes) {
      if (!ctx.interactive || !process.stdin.isTTY) throw new UsageError('refusing to change tenants without confirmation: pass --yes (CI) or run on a terminal');
      const plans = await planTargets(targets, { dist }).catch(deployError);
      confirmed = plans;
      ctx.stdout(planToText(plans));
      const c = summarise(plans);
      if (c.create! + c.update! + (prune ? c['delete-candidate']! : 0) === 0) {
        ctx.stdout('Nothing to apply.\n');
        return 0;
      }
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`Apply to ${targets.map((t) => t.name).join(', ')}? Type "yes": `);
      rl.close();
      if (answer.trim() !== 'yes') {
        ctx.stdout('Cancelled.\n');
        return 1;
      }
    }
    const { outcomes } = await applyTargets(targets, { dist, prune, onProgress: deployProgress(ctx), ...(confirmed ? { plans: confirmed } : {}) }).catch(deployError);
    const reportDir = (ctx.values['report-dir'] as string | undefined) ?? 'out/deploy';
    mkdirSync(reportDir, { recursive: true });
    writeFileSync(join(reportDir, 'outcome.json'), JSON.stringify({ environment: ctx.values.env, prune, outcomes }, null, 2) + '\n');
    const markdown = outcomesToMarkdown(outcomes);
    writeFileSync(join(reportDir, 'outcome.md'), markdown);
    ctx.stdout(markdown);
    return outcomes.some((o) => !o.ok) ? 1 : 0;
  },
};

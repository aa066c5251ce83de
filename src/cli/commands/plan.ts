import { planTargets } from '../../deploy/deploy.ts';
import { planToJson, planToMarkdown, planToText, summarise } from '../../deploy/report.ts';
import type { Command } from '../command.ts';
import { parseFormat } from '../diagnostics-output.ts';
import { DEPLOY_OPTIONS, deployError, deployProgress, targetsFrom } from '../deploy-common.ts';

export const command: Command = {
  name: 'plan',
  summary: 'Compare built artifacts with the live rules of every target in an environment',
  usage: '--env NAME [--targets deploy/targets.yaml] [--dist dist] [--format text|json|markdown] [--fail-on-changes]',
  description: [
    'Reads the live Sentinel alert rules and Defender custom detections of each target and prints, per rule:',
    'create, update (with the changed fields), unchanged, or delete-candidate. Rules not created by kql-dac are',
    'never proposed for change or deletion. Nothing is written to the tenants.',
    'Exit codes: 0 plan computed (1 with --fail-on-changes when anything would change: drift), 2 usage or API error.',
  ].join('\n'),
  options: {
    ...DEPLOY_OPTIONS,
    format: { type: 'string', description: 'Output format: text (default), json, markdown', valueName: 'fmt' },
    'fail-on-changes': { type: 'boolean', description: 'Exit 1 when the plan is not empty (drift checks)' },
  },
  async run(ctx) {
    const format = parseFormat(ctx.values.format, ['text', 'json', 'markdown'] as const, 'text');
    const targets = targetsFrom(ctx);
    const plans = await planTargets(targets, { dist: (ctx.values.dist as string | undefined) ?? 'dist', onProgress: deployProgress(ctx) }).catch(deployError);
    if (format === 'json') ctx.stdout(JSON.stringify(planToJson(plans), null, 2) + '\n');
    else if (format === 'markdown') ctx.stdout(planToMarkdown(plans, `Deployment plan: ${String(ctx.values.env)}`));
    else ctx.stdout(planToText(plans));
    if (plans.some((p) => p.error)) return 2;
    const c = summarise(plans);
    const pending = c.create! + c.update! + c['delete-candidate']! + c.conflict!;
    return ctx.values['fail-on-changes'] && pending > 0 ? 1 : 0;
  },
};

/** Options and progress shared by `dac plan` and `dac apply`. */
import { DistError } from '../deploy/desired.ts';
import type { ProgressEvent } from '../deploy/deploy.ts';
import { loadTargets, TargetsError, type Target } from '../deploy/targets.ts';
import type { CommandContext, OptionSpec } from './command.ts';
import { UsageError } from './command.ts';

export const DEPLOY_OPTIONS: Record<string, OptionSpec> = {
  env: { type: 'string', description: 'Environment in the targets file (e.g. staging, production)', valueName: 'name' },
  targets: { type: 'string', description: 'Targets file (default: deploy/targets.yaml)', valueName: 'file' },
  dist: { type: 'string', description: 'Build output to deploy (default: dist)', valueName: 'dir' },
};

export function targetsFrom(ctx: CommandContext): Target[] {
  const env = ctx.values.env as string | undefined;
  if (!env) throw new UsageError('--env is required (e.g. --env staging)');
  try {
    return loadTargets((ctx.values.targets as string | undefined) ?? 'deploy/targets.yaml', env);
  } catch (err) {
    if (err instanceof TargetsError) throw new UsageError(`invalid targets:\n${err.message}`);
    throw err;
  }
}

/** Turns expected failures (missing build, unreachable tenant) into one-line usage errors. */
export function deployError(err: unknown): never {
  if (err instanceof DistError) throw new UsageError(err.message);
  throw err;
}

/** One rewritten line on a terminal; one line per event otherwise (CI logs). */
export function deployProgress(ctx: CommandContext): (e: ProgressEvent) => void {
  return (e) => {
    const text =
      e.kind === 'reading' ? `reading live rules from ${e.target}…`
      : e.kind === 'planned' ? `${e.target}: ${e.changes} change(s) planned`
      : `${e.target}: ${e.done}/${e.total} ${e.ok ? 'ok    ' : 'FAILED'} ${e.item.action} ${e.item.platform} ${e.item.name}`;
    if (ctx.interactive) ctx.stderr(`\r\x1b[K${text.slice(0, (process.stderr.columns ?? 100) - 1)}${e.kind === 'applied' && e.done === e.total ? '\n' : ''}`);
    else if (e.kind !== 'applied' || !e.ok) ctx.stderr(`${text}\n`);
  };
}

/** Progress on stderr: one rewritten line on a terminal, nothing in CI or pipes (where it would be noise). */
import type { CommandContext } from './command.ts';
import { safeText } from './diagnostics-output.ts';

export interface Progress {
  update: (done: number, total: number, label: string) => void;
  done: () => void;
}

export function progressReporter(ctx: Pick<CommandContext, 'interactive' | 'stderr'>, stage: string): Progress {
  if (!ctx.interactive) return { update: () => {}, done: () => {} };
  let shown = false;
  return {
    update(done, total, label) {
      shown = true;
      // The label names a detection or file (from a pull request): no raw control characters on the terminal.
      const text = `${stage} ${done}/${total} ${safeText(label)}`.slice(0, (process.stderr.columns ?? 80) - 1);
      ctx.stderr(`\r\x1b[K${text}`);
    },
    done() {
      if (shown) ctx.stderr('\r\x1b[K');
    },
  };
}

/**
 * `dac check`: every stage over the library, in order, with one summary. A stage that fails does not stop
 * later stages (they run on what is valid), so one run shows everything a reviewer would ask about.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';

export type StageStatus = 'ok' | 'failed' | 'warnings';

export interface StageResult {
  stage: string;
  status: StageStatus;
  /** One line for the summary table. */
  summary: string;
  /** Longer text (diagnostics, failures) shown above the summary when the stage did not pass cleanly. */
  details?: string;
  diagnostics?: Diagnostic[];
  durationMs: number;
}

export interface Stage {
  name: string;
  run(paths: readonly string[]): Promise<Omit<StageResult, 'stage' | 'durationMs'>>;
}

export async function runStages(stages: readonly Stage[], paths: readonly string[], onStart?: (name: string) => void): Promise<StageResult[]> {
  const results: StageResult[] = [];
  for (const stage of stages) {
    onStart?.(stage.name);
    const started = performance.now();
    let result: Omit<StageResult, 'stage' | 'durationMs'>;
    try {
      result = await stage.run(paths);
    } catch (err) {
      // An unexpected failure in one stage is reported as that stage failing; the others still run.
      result = { status: 'failed', summary: `internal error: ${(err as Error).message}`, details: (err as Error).stack ?? String(err) };
    }
    results.push({ stage: stage.name, durationMs: Math.round(performance.now() - started), ...result });
  }
  return results;
}

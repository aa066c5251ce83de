import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { GitRefError } from '../../report/coverage/delta.ts';
import { buildPrReport, hasFindings, renderPrReportMarkdown } from '../../report/pr/index.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseFormat } from '../diagnostics-output.ts';

const JOB_SUMMARY_LIMIT = 900_000;

function write(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

export const command: Command = {
  name: 'pr-report',
  summary: 'Review of the detection changes against a git ref, as a PR comment (Markdown) or JSON',
  usage: '--base GIT_REF [paths…] [--format markdown|json] [--out FILE] [--full-out FILE]',
  description: [
    'Compares the detections at GIT_REF (read with git show, nothing is checked out) with the working tree:',
    'detections added, changed and removed, their validation problems and test results, a diff of the',
    'compiled Sentinel and Defender artifacts, the ATT&CK coverage delta and what a deploy would create,',
    'update or delete. The Markdown starts with <!-- kql-dac:pr-report --> (the sticky comment marker) and',
    'stays under GitHub\'s 65,536-character comment limit. A section whose stage failed says so.',
    'Exit codes: 0 no findings, 1 validation/build errors or failing tests, 2 usage error (e.g. unknown ref).',
  ].join('\n'),
  options: {
    base: { type: 'string', description: 'Git ref to compare against (e.g. origin/main)', valueName: 'ref' },
    format: { type: 'string', description: 'Output format: markdown (default) or json', valueName: 'fmt' },
    out: { type: 'string', description: 'Write the report to FILE instead of stdout', valueName: 'file' },
    'full-out': { type: 'string', description: 'Also write the Markdown without the comment size limit (for the 1 MiB job summary)', valueName: 'file' },
  },
  async run(ctx) {
    const format = parseFormat(ctx.values.format, ['markdown', 'json'] as const, 'markdown');
    const baseRef = ctx.values.base as string | undefined;
    if (!baseRef) throw new UsageError('--base is required (e.g. --base origin/main)');
    let report;
    try {
      report = buildPrReport({ baseRef, dirs: ctx.positionals.length ? ctx.positionals : ['detections'] });
    } catch (err) {
      if (err instanceof GitRefError) throw new UsageError(err.message);
      throw err;
    }
    const text = format === 'json' ? JSON.stringify(report, null, 2) + '\n' : renderPrReportMarkdown(report);
    const out = ctx.values.out as string | undefined;
    const fullOut = ctx.values['full-out'] as string | undefined;
    // The job summary allows 1 MiB per step; stay well below it.
    if (fullOut) write(fullOut, renderPrReportMarkdown(report, JOB_SUMMARY_LIMIT));
    if (out) {
      write(out, text);
      ctx.stderr(`pr-report: ${report.changes.length} changed detection(s) against ${baseRef}; wrote ${out}\n`);
    } else {
      ctx.stdout(text);
    }
    return hasFindings(report) ? 1 : 0;
  },
};

import { loadLibrary } from '../../detection/library.ts';
import { buildCoverageReports, coverageDelta, describeProblem, GitRefError, writeCoverageReports, type CoverageDelta } from '../../report/coverage/index.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { formatDiagnosticsText, parseFormat } from '../diagnostics-output.ts';

export const command: Command = {
  name: 'coverage',
  summary: 'Write ATT&CK coverage: Navigator layers, Markdown and an HTML matrix',
  usage: '[paths…] [--out reports] [--base GIT_REF] [--format text|json]',
  description: [
    'Writes attack-layer.json (all platforms), attack-layer.sentinel.json, attack-layer.defender.json,',
    'coverage.md and coverage.html into the output folder. With --base, the reports add what changed against',
    'that git ref: techniques newly covered or no longer covered, detections added, removed or changed.',
    'Deprecated detections and detections enabled on no platform are listed but not counted.',
  ].join('\n'),
  options: {
    out: { type: 'string', description: 'Output folder (default: reports)', valueName: 'dir' },
    base: { type: 'string', description: 'Git ref to compare against (e.g. origin/main)', valueName: 'ref' },
    format: { type: 'string', description: 'Output format: text (default) or json', valueName: 'fmt' },
  },
  async run(ctx) {
    const format = parseFormat(ctx.values.format, ['text', 'json'] as const, 'text');
    const out = (ctx.values.out as string | undefined) ?? 'reports';
    const library = loadLibrary(ctx.positionals);
    const sourced = library.detections.map((d) => ({ file: d.file, detection: d.detection }));
    let delta: CoverageDelta | undefined;
    if (ctx.values.base) {
      try {
        delta = coverageDelta(ctx.values.base as string, ctx.positionals, { head: sourced });
      } catch (err) {
        if (err instanceof GitRefError) throw new UsageError(err.message);
        throw err;
      }
    }
    const reports = buildCoverageReports(sourced, delta);
    const written = writeCoverageReports(reports, out);
    const { all } = reports.models;
    const errors = library.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) ctx.stderr(`coverage: ${errors.length} problem(s) in detection files; those files are not counted:\n${formatDiagnosticsText(errors)}\n`);
    for (const p of all.problems) ctx.stderr(`coverage: warning: ${p.detection.file}: ${describeProblem(p)} (not counted)\n`);
    const techniques = new Set([...all.cells.values()].map((c) => c.technique.id));
    const summary = {
      detections: all.counted.length, notCounted: all.notCounted.length, techniques: techniques.size, cells: all.cells.size,
      problems: all.problems.length, written, ...(delta ? { delta: { newlyCovered: delta.newlyCovered.length, noLongerCovered: delta.noLongerCovered.length, added: delta.added.length, removed: delta.removed.length, changed: delta.changed.length } } : {}),
    };
    if (format === 'json') ctx.stdout(JSON.stringify(summary, null, 2) + '\n');
    else {
      ctx.stdout(`coverage: ${summary.detections} detections cover ${summary.techniques} techniques (${summary.cells} technique/tactic cells); ${summary.notCounted} not counted\n`);
      if (delta) ctx.stdout(`against ${delta.baseRef}: +${delta.newlyCovered.length} / -${delta.noLongerCovered.length} cells, ${delta.added.length} added, ${delta.removed.length} removed, ${delta.changed.length} changed detections\n`);
      for (const f of written) ctx.stdout(`  wrote ${f}\n`);
    }
    return errors.length ? 1 : 0;
  },
};

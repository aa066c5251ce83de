import { runStages, type Stage, type StageResult } from '../../check/stages.ts';
import { buildLibrary, writeBuild } from '../../build/index.ts';
import { loadLibrary } from '../../detection/library.ts';
import { buildCoverageReports, writeCoverageReports } from '../../report/coverage/index.ts';
import { runDetectionTests } from '../../testing/run-tests.ts';
import { missingTestKinds } from '../../testing/test-kinds.ts';
import { validateLibrary } from '../../validate/validate-library.ts';
import { formatFailure } from '../test-output.ts';
import type { Command } from '../command.ts';
import { formatDiagnosticsText, parseFormat } from '../diagnostics-output.ts';

const validateStage: Stage = {
  name: 'validate',
  async run(paths) {
    const result = validateLibrary(paths);
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = result.diagnostics.length - errors;
    return {
      status: errors || result.files === 0 ? 'failed' : warnings ? 'warnings' : 'ok',
      summary: result.files === 0 ? 'no detection files found' : `${result.files} files, ${result.detections.length} detections, ${errors} errors, ${warnings} warnings`,
      ...(result.diagnostics.length ? { details: formatDiagnosticsText(result.diagnostics), diagnostics: result.diagnostics } : {}),
    };
  },
};

const testStage: Stage = {
  name: 'test',
  async run(paths) {
    const library = loadLibrary(paths);
    const results = runDetectionTests(library.detections);
    const failed = results.filter((r) => r.status !== 'passed');
    const untested = library.detections.filter((d) => missingTestKinds(d.detection.tests ?? []).length).length;
    return {
      status: failed.length ? 'failed' : untested ? 'warnings' : 'ok',
      summary: `${results.length - failed.length} passed, ${failed.length} failed${untested ? `, ${untested} detection(s) without both a test that must fire and one that must not` : ''}`,
      ...(failed.length ? { details: failed.map(formatFailure).join('\n\n') } : {}),
    };
  },
};

const buildStage: Stage = {
  name: 'build',
  async run(paths) {
    const library = loadLibrary(paths);
    const result = buildLibrary(library.detections);
    writeBuild(result, 'dist');
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const by = (p: string) => result.artifacts.filter((a) => a.platform === p).length;
    return {
      status: errors ? 'failed' : result.diagnostics.length ? 'warnings' : 'ok',
      summary: `${result.artifacts.length} artifacts (${by('sentinel')} Sentinel, ${by('defender')} Defender) → dist/, contract-checked`,
      ...(result.diagnostics.length ? { details: formatDiagnosticsText(result.diagnostics), diagnostics: result.diagnostics } : {}),
    };
  },
};

const coverageStage: Stage = {
  name: 'coverage',
  async run(paths) {
    const library = loadLibrary(paths);
    const reports = buildCoverageReports(library.detections.map((d) => ({ file: d.file, detection: d.detection })));
    writeCoverageReports(reports, 'reports');
    const { all } = reports.models;
    const techniques = new Set([...all.cells.values()].map((c) => c.technique.id)).size;
    const problems = all.problems.length;
    return {
      status: problems ? 'warnings' : 'ok',
      summary: `${techniques} techniques covered by ${all.counted.length} detections → reports/${problems ? `, ${problems} ATT&CK problems` : ''}`,
      ...(problems ? { details: all.problems.map((p) => `${p.detection.file}: ${p.technique} is ${p.kind}${p.replacement ? ` (use ${p.replacement})` : ''}`).join('\n') } : {}),
    };
  },
};

/** Stages in pipeline order; each later issue adds its stage here. */
export const CHECK_STAGES: Stage[] = [validateStage, testStage, buildStage, coverageStage];

const MARK: Record<StageResult['status'], string> = { ok: 'ok', warnings: 'ok*', failed: 'FAIL' };

export const command: Command = {
  name: 'check',
  summary: 'Run every stage (validate, test, build, coverage) over the library',
  usage: '[paths…] [--format text|json]',
  description: 'Runs each stage in order over the detections (default: detections/). A failing stage does not stop the\nlater ones; the exit code is 1 if any stage failed.',
  options: {
    format: { type: 'string', description: 'Output format: text (default) or json', valueName: 'fmt' },
  },
  async run(ctx) {
    const format = parseFormat(ctx.values.format, ['text', 'json'] as const, 'text');
    const results = await runStages(CHECK_STAGES, ctx.positionals, (name) => {
      if (ctx.interactive) ctx.stderr(`\r\x1b[Kcheck: ${name}…`);
    });
    if (ctx.interactive) ctx.stderr('\r\x1b[K');
    const failed = results.some((r) => r.status === 'failed');
    if (format === 'json') {
      ctx.stdout(JSON.stringify({ ok: !failed, stages: results.map(({ diagnostics: _d, details: _x, ...r }) => r) }, null, 2) + '\n');
      return failed ? 1 : 0;
    }
    for (const r of results) {
      if (r.details) ctx.stdout(`── ${r.stage} ${'─'.repeat(Math.max(0, 60 - r.stage.length))}\n${r.details}\n\n`);
    }
    const width = Math.max(...results.map((r) => r.stage.length));
    ctx.stdout('dac check\n');
    for (const r of results) ctx.stdout(`  ${r.stage.padEnd(width)}  ${MARK[r.status].padEnd(4)}  ${r.summary}  (${(r.durationMs / 1000).toFixed(1)}s)\n`);
    ctx.stdout(failed ? 'FAILED: fix the problems above.\n' : 'All stages passed.\n');
    return failed ? 1 : 0;
  },
};

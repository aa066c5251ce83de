import { statSync } from 'node:fs';
import { DEFAULT_DETECTION_DIR, discoverDetectionFiles, loadLibrary } from '../../detection/library.ts';
import { enabledPlatforms } from '../../detection/types.ts';
import { runDetectionTests } from '../../testing/run-tests.ts';
import { missingTestKinds } from '../../testing/test-kinds.ts';
import { UsageError, type Command } from '../command.ts';
import { diagnosticsToJson, formatDiagnosticsGithub, formatDiagnosticsText, parseFormat, safeText } from '../diagnostics-output.ts';
import { progressReporter } from '../progress.ts';
import { formatFailure, formatGithub } from '../test-output.ts';

export const command: Command = {
  name: 'test',
  summary: "Run detections' tests on fixture rows in the embedded KQL engine",
  usage: '[paths…] [--format text|json|github]',
  description: [
    'Each test of each detection runs on every platform it covers (default: every platform the detection is',
    'enabled on), with the query as it is deployed there, the fixture rows and the frozen clock. Failures show',
    'expected vs actual and the rows in and out of every pipe stage. Exit 1 on any failure.',
  ].join('\n'),
  options: {
    format: { type: 'string', description: 'Output format: text (default), json, github', valueName: 'fmt' },
  },
  async run(ctx) {
    const format = parseFormat(ctx.values.format, ['text', 'json', 'github'] as const, 'text');
    requireDetectionFiles(ctx.positionals);
    const library = loadLibrary(ctx.positionals);
    // One run per test × platform it covers, the same expansion runDetectionTests makes.
    const total = library.detections.reduce((n, { detection }) => n + (detection.tests ?? []).reduce((m, t) => m + (t.platforms ?? enabledPlatforms(detection)).length, 0), 0);
    const progress = progressReporter(ctx, 'test');
    let done = 0;
    const results = runDetectionTests(library.detections, (r) => progress.update(++done, total, `${r.detection} › ${r.test}`));
    progress.done();
    const passed = results.filter((r) => r.status === 'passed').length;
    const failed = results.length - passed;
    const fileErrors = library.diagnostics.filter((d) => d.severity === 'error');
    if (format === 'json') {
      ctx.stdout(JSON.stringify({
        passed, failed,
        // Files that did not load (bad YAML, schema errors): their tests cannot run, so the exit code is 1.
        ...(fileErrors.length ? { errors: diagnosticsToJson(fileErrors) } : {}),
        tests: results.map((r) => ({ detection: r.detection, test: r.test, platform: r.platform, status: r.status, message: r.message, file: r.file, line: r.line, ...(r.mismatches ? { mismatches: r.mismatches } : {}), ...(r.status !== 'passed' && r.trace ? { trace: r.trace } : {}) })),
      }, null, 2) + '\n');
    } else {
      if (fileErrors.length) ctx.stdout(`${format === 'github' ? formatDiagnosticsGithub(fileErrors) : formatDiagnosticsText(fileErrors)}\n\n`);
      for (const r of results) if (r.status !== 'passed') ctx.stdout((format === 'github' ? formatGithub(r) : formatFailure(r)) + '\n\n');
      // A firing test alone passes for a query matching everything, a quiet one alone for one matching nothing.
      const incomplete = library.detections.map((d) => ({ file: d.file, missing: missingTestKinds(d.detection.tests ?? []) })).filter((d) => d.missing.length);
      for (const d of incomplete) ctx.stdout(`warning: ${safeText(d.file)} has no ${d.missing.map((k) => (k === 'firing' ? 'test that must fire' : 'test that must not fire')).join(' and no ')}\n`);
      const unloaded = new Set(fileErrors.map((d) => d.file)).size;
      const notRun = unloaded ? `; ${unloaded} file(s) did not load, their tests did not run` : '';
      ctx.stdout(`${failed || unloaded ? '✗' : '✓'} ${results.length} detection tests: ${passed} passed, ${failed} failed${notRun}\n`);
    }
    return failed || fileErrors.length ? 1 : 0;
  },
};

/**
 * A path that does not exist, or a folder with no detection files in it, is a usage error (exit 2) naming that
 * path: running zero tests and reporting success would silently skip what the caller asked for.
 */
export function requireDetectionFiles(positionals: readonly string[]): void {
  for (const path of positionals.length ? positionals : [DEFAULT_DETECTION_DIR]) {
    try {
      statSync(path);
    } catch {
      // Without paths the default folder is relative to where dac runs: say so, rather than only "not found".
      const hint = positionals.length ? '' : ` (with no paths, dac test reads ./${DEFAULT_DETECTION_DIR}: run it from the repository root, or give the paths)`;
      throw new UsageError(`no such file or directory: ${safeText(path)}${hint}`);
    }
    if (!discoverDetectionFiles([path]).files.length) throw new UsageError(`no detection files (*.yaml, *.yml) found under ${safeText(path)}`);
  }
}

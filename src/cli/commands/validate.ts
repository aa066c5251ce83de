import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hasErrors } from '../../diagnostics/diagnostic.ts';
import { displayPath } from '../../detection/library.ts';
import { checkQuery, queryDiagnostics, type FailureCause } from '../../validate/check-queries.ts';
import { extractQueries } from '../../validate/kql-extract.ts';
import { validateLibrary } from '../../validate/validate-library.ts';
import type { Command, CommandContext } from '../command.ts';
import { UsageError } from '../command.ts';
import { diagnosticsToJson, formatDiagnosticsGithub, formatDiagnosticsText, parseFormat } from '../diagnostics-output.ts';
import { progressReporter } from '../progress.ts';

const FORMATS = ['text', 'json', 'github'] as const;

export const command: Command = {
  name: 'validate',
  summary: 'Check detections: schema, ATT&CK ids, KQL against table schemas, platform rules',
  usage: '[paths…] [--format text|json|github] [--kql-only]',
  description: [
    'Validates every detection file under the given paths (default: detections/). Each problem is reported with',
    'file, line, column, JSON path, a code and, where one helps, a hint.',
    '',
    'With --kql-only, the paths hold content in other formats (Azure-Sentinel rule YAML `query:` fields, fenced',
    'KQL blocks in Markdown, .kql files); every query found is parsed and bound against the Defender and',
    'Sentinel table schemas and a summary of what binds cleanly is printed.',
  ].join('\n'),
  options: {
    format: { type: 'string', description: 'Output format: text (default), json, github (workflow annotations)', valueName: 'fmt' },
    'kql-only': { type: 'boolean', description: 'Extract and check only the KQL of files in other formats' },
  },
  async run(ctx) {
    const format = parseFormat(ctx.values.format, FORMATS, 'text');
    if (ctx.values['kql-only']) return runKqlOnly(ctx, format);
    const progress = progressReporter(ctx, 'validate');
    const result = validateLibrary(ctx.positionals, { onProgress: progress.update });
    progress.done();
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = result.diagnostics.length - errors;
    if (format === 'json') {
      ctx.stdout(JSON.stringify({ files: result.files, detections: result.detections.length, diagnostics: diagnosticsToJson(result.diagnostics) }, null, 2) + '\n');
    } else if (format === 'github') {
      if (result.diagnostics.length) ctx.stdout(formatDiagnosticsGithub(result.diagnostics) + '\n');
      ctx.stdout(`validate: ${result.files} files, ${result.detections.length} detections, ${errors} errors, ${warnings} warnings\n`);
    } else {
      if (result.diagnostics.length) ctx.stdout(formatDiagnosticsText(result.diagnostics) + '\n\n');
      if (result.files === 0) ctx.stderr('validate: no detection files found\n');
      ctx.stdout(`${errors ? '✗' : '✓'} ${result.files} files, ${result.detections.length} detections: ${errors} errors, ${warnings} warnings\n`);
    }
    return hasErrors(result.diagnostics) || result.files === 0 ? 1 : 0;
  },
};

function expandFiles(paths: string[]): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`no such file or directory: ${p}`);
    }
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) visit(join(p, e));
    else if (/\.(ya?ml|md|markdown|kql|csl)$/i.test(p)) out.push(displayPath(p));
  };
  paths.forEach(visit);
  return out;
}

async function runKqlOnly(ctx: CommandContext, format: (typeof FORMATS)[number]): Promise<number> {
  if (!ctx.positionals.length) throw new UsageError('--kql-only needs at least one file or folder');
  const files = expandFiles(ctx.positionals);
  const progress = progressReporter(ctx, 'kql');
  const checks = [];
  let i = 0;
  for (const file of files) {
    for (const q of extractQueries(file)) checks.push(checkQuery(q));
    progress.update(++i, files.length, file);
  }
  progress.done();
  const failed = checks.filter((c) => !c.ok);
  const causes: Partial<Record<FailureCause, number>> = {};
  for (const c of failed) for (const cause of c.causes) causes[cause] = (causes[cause] ?? 0) + 1;
  const diagnostics = failed.flatMap(queryDiagnostics);
  const summary = { files: files.length, queries: checks.length, clean: checks.length - failed.length, failed: failed.length, causes };
  if (format === 'json') {
    ctx.stdout(JSON.stringify({ ...summary, queriesChecked: checks.map((c) => ({ file: c.query.file, line: c.query.line, platform: c.platform, ok: c.ok, causes: c.causes })), diagnostics: diagnosticsToJson(diagnostics) }, null, 2) + '\n');
  } else {
    if (diagnostics.length) ctx.stdout((format === 'github' ? formatDiagnosticsGithub(diagnostics) : formatDiagnosticsText(diagnostics)) + '\n\n');
    const causeText = Object.entries(causes).map(([k, v]) => `${k} ${v}`).join(', ');
    ctx.stdout(`${summary.files} files, ${summary.queries} queries: ${summary.clean} bind cleanly, ${summary.failed} with errors${causeText ? ` (${causeText})` : ''}\n`);
  }
  return failed.length ? 1 : 0;
}

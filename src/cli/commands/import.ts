import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { slugify } from '../../build/index.ts';
import { importAzureSentinelRule } from '../../import/azure-sentinel.ts';
import { detectionYaml } from '../../import/write-detection.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseFormat } from '../diagnostics-output.ts';

function expand(paths: string[]): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    if (!existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
    if (statSync(p).isDirectory()) for (const e of readdirSync(p).sort()) visit(join(p, e));
    else if (/\.ya?ml$/i.test(p)) out.push(p);
  };
  paths.forEach(visit);
  return out;
}

export const command: Command = {
  name: 'import',
  summary: 'Convert Azure-Sentinel analytic rule YAML into detections',
  usage: '<rule.yaml|folder…> [--out detections/imported] [--force] [--format text|json]',
  description: [
    'Converts analytic rules in the Azure/Azure-Sentinel repository format into detection files: id, name,',
    'description, severity, tactics/techniques, query, schedule, trigger, entity mappings, custom details,',
    'alert details override, incident and grouping settings. Fields that cannot be carried are listed per file.',
    'Imported detections are status experimental and Sentinel-only. Hunting queries and moved-file stubs are',
    'skipped with a reason; analytic rules that cannot be converted fail with a reason (exit code 1).',
  ].join('\n'),
  options: {
    out: { type: 'string', description: 'Output folder (default: detections/imported)', valueName: 'dir' },
    force: { type: 'boolean', description: 'Overwrite existing files' },
    format: { type: 'string', description: 'Output format: text (default) or json', valueName: 'fmt' },
  },
  async run(ctx) {
    const format = parseFormat(ctx.values.format, ['text', 'json'] as const, 'text');
    if (!ctx.positionals.length) throw new UsageError('give at least one Azure-Sentinel rule file or folder');
    const out = (ctx.values.out as string | undefined) ?? 'detections/imported';
    const files = expand(ctx.positionals);
    const results = [];
    const writtenThisRun = new Set<string>();
    for (const file of files) {
      const result = importAzureSentinelRule(readFileSync(file, 'utf8'), file);
      let written: string | null = null;
      if (result.detection) {
        mkdirSync(out, { recursive: true });
        written = join(out, `${slugify(result.detection.name)}.yaml`);
        // Two rules of one run with the same name: keep both, the second named after its id too.
        if (writtenThisRun.has(written)) written = join(out, `${slugify(result.detection.name)}-${result.detection.id.slice(0, 8)}.yaml`);
        writtenThisRun.add(written);
        if (existsSync(written) && !ctx.values.force) {
          results.push({ file, status: 'failed', error: `${written} exists (use --force to overwrite)`, dropped: result.dropped, notes: result.notes });
          continue;
        }
        writeFileSync(written, detectionYaml(result.detection, written, [`Imported by dac import from ${basename(file)}`]));
      }
      results.push({ file, status: result.detection ? 'imported' : result.skipped ? 'skipped' : 'failed', written, error: result.error ?? null, dropped: result.dropped, notes: result.notes });
    }
    const imported = results.filter((r) => r.status === 'imported').length;
    const failed = results.filter((r) => r.status === 'failed').length;
    if (format === 'json') ctx.stdout(JSON.stringify({ imported, skipped: results.length - imported - failed, failed, results }, null, 2) + '\n');
    else {
      for (const r of results) {
        ctx.stdout(`${r.status === 'imported' ? '✓' : r.status === 'failed' ? '✗' : '-'} ${r.file}${r.written ? ` → ${r.written}` : ''}${r.error ? `: ${r.error}` : ''}\n`);
        for (const d of r.dropped) ctx.stdout(`    not carried: ${d.field}: ${d.reason}\n`);
        for (const n of r.notes) ctx.stdout(`    note: ${n}\n`);
      }
      ctx.stdout(`${imported} imported, ${results.length - imported - failed} skipped, ${failed} failed. Run \`dac validate ${out}\` next.\n`);
    }
    return failed ? 1 : 0;
  },
};

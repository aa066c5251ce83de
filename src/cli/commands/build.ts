import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { hasErrors } from '../../diagnostics/diagnostic.ts';
import { loadLibrary } from '../../detection/library.ts';
import { buildLibrary, writeBuild } from '../../build/index.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { diagnosticsToJson, formatDiagnosticsGithub, formatDiagnosticsText, parseFormat } from '../diagnostics-output.ts';

export const command: Command = {
  name: 'build',
  summary: 'Render detections into Sentinel ARM templates and Defender Graph detectionRule bodies',
  usage: '[paths…] [--out dist] [--templates DIR] [--kql-warnings] [--format text|json|github]',
  description: [
    'For each valid detection and each platform it is enabled on, writes dist/sentinel/<name>.json (an ARM',
    'template; the REST body is its resources[0] kind + properties) and dist/defender/<name>.json (the Graph',
    'detectionRule body), plus dist/manifest.json with a content hash per artifact. Every artifact is checked',
    'against schemas/contracts/ before it is written. Files with schema errors are reported and not built.',
  ].join('\n'),
  options: {
    out: { type: 'string', description: 'Output folder (default: dist)', valueName: 'dir' },
    templates: { type: 'string', description: 'Folder with your own sentinel/ and defender/ templates', valueName: 'dir' },
    format: { type: 'string', description: 'Output format: text (default), json, github', valueName: 'fmt' },
    'kql-warnings': { type: 'boolean', description: 'Report queries that do not bind (e.g. imported rules on tables without a bundled schema) as warnings and build them anyway' },
  },
  async run(ctx) {
    const format = parseFormat(ctx.values.format, ['text', 'json', 'github'] as const, 'text');
    const templatesDir = ctx.values.templates as string | undefined;
    if (templatesDir && !existsSync(templatesDir)) throw new UsageError(`--templates folder not found: ${templatesDir}`);
    const out = (ctx.values.out as string | undefined) ?? 'dist';
    const library = loadLibrary(ctx.positionals);
    const result = buildLibrary(library.detections, {
      ...(templatesDir ? { templatesDir: resolve(templatesDir) } : {}),
      ...(ctx.values['kql-warnings'] ? { kqlErrorsAsWarnings: true } : {}),
    });
    const diagnostics = [...library.diagnostics, ...result.diagnostics];
    const written = writeBuild(result, out);
    const failed = hasErrors(diagnostics);
    if (format === 'json') {
      ctx.stdout(JSON.stringify({ artifacts: result.manifest.artifacts, written, diagnostics: diagnosticsToJson(diagnostics) }, null, 2) + '\n');
    } else {
      if (diagnostics.length) ctx.stdout((format === 'github' ? formatDiagnosticsGithub(diagnostics) : formatDiagnosticsText(diagnostics)) + '\n\n');
      const by = (p: string) => result.artifacts.filter((a) => a.platform === p).length;
      ctx.stdout(`${failed ? '✗' : '✓'} built ${result.artifacts.length} artifacts (${by('sentinel')} Sentinel, ${by('defender')} Defender) from ${library.detections.length} detections into ${out}/\n`);
    }
    return failed ? 1 : 0;
  },
};

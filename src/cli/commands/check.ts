import { validateLibrary } from '../../validate/validate-library.ts';
import type { Command } from '../command.ts';
import { formatDiagnosticsText } from '../diagnostics-output.ts';

export const command: Command = {
  name: 'check',
  summary: 'Run every stage (validate, test, build, coverage) over the library',
  usage: '[paths…]',
  options: {},
  async run(ctx) {
    const result = validateLibrary(ctx.positionals);
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    if (result.diagnostics.length) ctx.stdout(formatDiagnosticsText(result.diagnostics) + '\n\n');
    ctx.stdout(`validate  ${errors ? 'FAIL' : 'ok  '}  ${result.detections.length} detections, ${errors} errors\n`);
    return errors ? 1 : 0;
  },
};

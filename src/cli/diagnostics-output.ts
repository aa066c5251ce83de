/** Renders diagnostics as text for people, JSON for tools, or GitHub workflow-command annotations. */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { UsageError } from './command.ts';

export type DiagnosticFormat = 'text' | 'json' | 'github';

export function formatDiagnosticsText(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const where = `${d.file}:${d.line}:${d.column}`;
      const path = d.path ? ` (${d.path})` : '';
      const hint = d.hint ? `\n    hint: ${d.hint}` : '';
      return `${where}: ${d.severity} ${d.code}: ${d.message}${path}${hint}`;
    })
    .join('\n');
}

/** GitHub workflow commands: data must escape %, CR, LF; properties also , and :. */
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatDiagnosticsGithub(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const level = d.severity === 'error' ? 'error' : 'warning';
      const title = escapeProperty(d.code);
      const text = escapeData(`${d.message}${d.path ? ` (${d.path})` : ''}${d.hint ? ` — hint: ${d.hint}` : ''}`);
      return `::${level} file=${escapeProperty(d.file)},line=${d.line},col=${d.column},title=${title}::${text}`;
    })
    .join('\n');
}

export function diagnosticsToJson(diagnostics: readonly Diagnostic[]): object[] {
  return diagnostics.map((d) => ({
    file: d.file, line: d.line, column: d.column, path: d.path, severity: d.severity, code: d.code, message: d.message, hint: d.hint ?? null,
  }));
}

export function parseFormat<T extends string>(value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--format must be one of ${allowed.join(', ')} (got ${String(value)})`);
}

/** Renders diagnostics as text for people, JSON for tools, or GitHub workflow-command annotations. */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { UsageError } from './command.ts';

export type DiagnosticFormat = 'text' | 'json' | 'github';

/** C0/C1 controls (newlines, ESC, …), Unicode line/paragraph separators and bidi overrides. */
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Makes a string that came from a detection file (names, messages echoing its content, paths) safe to print in
 * plain-text output read by people and CI logs: control characters and line breaks are shown as escapes (`\n`,
 * `\u001b`), so the string stays on its line and cannot move the terminal cursor; a leading `::` (after any
 * whitespace: the GitHub runner trims it) becomes `\::`, and `##[` / `##vso[` anywhere become `##\[` / `##vso\[`,
 * so no output line is a GitHub Actions or Azure Pipelines workflow command. Every text formatter that prints
 * detection-supplied strings goes through this one function.
 */
export function safeText(value: unknown): string {
  return String(value)
    .replace(UNSAFE_CHARS, (c) => NAMED_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/^(\s*)::/, '$1\\::')
    .replace(/##(vso)?\[/gi, (m) => `${m.slice(0, -1)}\\[`);
}

export function formatDiagnosticsText(diagnostics: readonly Diagnostic[]): string {
  return diagnostics
    .map((d) => {
      const where = `${safeText(d.file)}:${d.line}:${d.column}`;
      const path = d.path ? ` (${safeText(d.path)})` : '';
      const hint = d.hint ? `\n    hint: ${safeText(d.hint)}` : '';
      return `${where}: ${d.severity} ${safeText(d.code)}: ${safeText(d.message)}${path}${hint}`;
    })
    .join('\n');
}

/** GitHub workflow commands: data must escape %, CR, LF; properties also , and :. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
export function escapeProperty(s: string): string {
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

/**
 * Reads one detection file defensively: detection files arrive in pull requests and are untrusted, so
 * size, encoding and YAML structure are checked before anything else looks at them.
 */
import { readFileSync, statSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { parseYamlSource, type YamlSource } from './yaml-source.ts';

/** Far above any real detection (the largest Sentinel rule query is 10,000 chars) and far below harm. */
export const MAX_FILE_BYTES = 1024 * 1024;

export interface SourceFile {
  /** Path as given (relative to cwd when discovered), used in diagnostics. */
  path: string;
  source: YamlSource | null;
  /** Parsed data when the file is readable YAML, else null. */
  data: unknown;
  diagnostics: Diagnostic[];
}

export function loadSourceFile(path: string): SourceFile {
  const fail = (code: string, message: string, hint?: string, line = 1, column = 1): SourceFile => ({
    path,
    source: null,
    data: null,
    diagnostics: [{ file: path, line, column, path: '', severity: 'error', code, message, ...(hint ? { hint } : {}) }],
  });
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    return fail('file/unreadable', `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (size > MAX_FILE_BYTES) {
    return fail('file/too-large', `file is ${size} bytes; detection files are limited to ${MAX_FILE_BYTES} bytes`, 'Move fixture rows to a file under test/fixtures/ and reference it with `file:`.');
  }
  const bytes = readFileSync(path);
  if (bytes.includes(0)) return fail('file/binary', 'file contains NUL bytes; it is not a YAML text file');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return fail('file/encoding', 'file is not valid UTF-8', 'Save the file as UTF-8.');
  }
  return loadSourceText(path, text);
}

export function loadSourceText(path: string, text: string): SourceFile {
  const source = parseYamlSource(text.replace(/^\uFEFF/, ''));
  const diagnostics: Diagnostic[] = source.errors.map((e) => ({
    file: path,
    line: e.position.line,
    column: e.position.column,
    path: '',
    severity: 'error',
    code: `yaml/${e.code.toLowerCase().replace(/_/g, '-')}`,
    message: `invalid YAML: ${e.message}`,
    ...(e.code === 'DUPLICATE_KEY' ? { hint: 'Each key may appear once per mapping; remove or rename the repeated key.' } : {}),
    ...(e.code === 'ALIAS_LIMIT' ? { hint: 'Detections do not need YAML anchors/aliases; write the values out.' } : {}),
  }));
  return { path, source, data: diagnostics.length ? null : source.data, diagnostics };
}

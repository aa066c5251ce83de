/** The one shape every stage reports problems in; the CLI turns it into text, JSON or GitHub annotations. */
export type DiagnosticSeverity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  /** 1-based line and column in `file`. */
  line: number;
  column: number;
  /** JSON path inside the detection, e.g. `/sentinel/queryPeriod`; empty for the whole file. */
  path: string;
  severity: DiagnosticSeverity;
  /** Stable machine-readable code, e.g. `schema/additionalProperties`, `attack/revoked`, `kql/KS142`. */
  code: string;
  message: string;
  hint?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code),
  );
}

/** JSON Pointer for a path of keys (RFC 6901 escaping). */
export function jsonPointer(path: readonly (string | number)[]): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

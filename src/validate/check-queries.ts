/** `validate --kql-only`: binds extracted queries against both platforms' table schemas and explains failures. */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { analyzeKql, type KqlDiagnostic } from '../kql/analyzer.ts';
import { PLATFORMS, type Platform } from '../kql/table-schemas.ts';
import type { ExtractedQuery } from './kql-extract.ts';

export type FailureCause = 'unknown-table' | 'unknown-name' | 'syntax' | 'type' | 'other';

export interface QueryCheck {
  query: ExtractedQuery;
  /** The platform on which the query binds best (fewest errors; Defender on a tie). */
  platform: Platform;
  ok: boolean;
  errors: KqlDiagnostic[];
  causes: FailureCause[];
}

export function classify(d: KqlDiagnostic): FailureCause {
  if (/does not refer to any known table|known table, tabular variable/.test(d.message)) return 'unknown-table';
  if (/does not refer to any known/.test(d.message)) return 'unknown-name';
  if (/^KS0\d\d$/.test(d.code) || /expected|Missing|unexpected/i.test(d.message)) return 'syntax';
  if (/type|argument|operand|expects/i.test(d.message)) return 'type';
  return 'other';
}

export function checkQuery(query: ExtractedQuery): QueryCheck {
  let best: QueryCheck | undefined;
  for (const platform of PLATFORMS) {
    const errors = analyzeKql(query.query, platform).diagnostics.filter((d) => d.severity === 'error');
    const check: QueryCheck = { query, platform, ok: errors.length === 0, errors, causes: [...new Set(errors.map(classify))] };
    if (!best || errors.length < best.errors.length) best = check;
  }
  return best!;
}

export function queryDiagnostics(check: QueryCheck): Diagnostic[] {
  return check.errors.map((e) => {
    const before = check.query.query.slice(0, e.start);
    const lineOffset = before.split('\n').length - 1;
    const column = e.start - (before.lastIndexOf('\n') + 1) + 1;
    return {
      file: check.query.file, line: check.query.line + lineOffset, column, path: '', severity: 'error' as const,
      code: `kql/${e.code}`, message: `${e.message} [${check.platform}]`,
    };
  });
}

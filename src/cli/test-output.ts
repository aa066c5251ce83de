/** Formats detection test results: failures with expected vs actual and the per-stage trace. */
import type { TestResult } from '../testing/run-tests.ts';
import { escapeData, escapeProperty, safeText } from './diagnostics-output.ts';

function json(v: unknown): string {
  const s = JSON.stringify(v);
  return safeText(s.length > 400 ? `${s.slice(0, 397)}…` : s);
}

/** Plain text for people and CI logs; every string from the detection file goes through safeText. */
export function formatFailure(r: TestResult): string {
  const lines = [`✗ ${safeText(r.detection)} › ${safeText(r.test)} [${r.platform}]  (${safeText(r.file)}:${r.line})`, `    ${safeText(r.message)}`];
  for (const m of r.mismatches ?? []) {
    if (m.expected !== undefined) lines.push(`    expected: ${json(m.expected)}`);
    if (m.actual !== undefined) lines.push(`    actual:   ${json(m.actual)}`);
  }
  if (r.trace?.length) {
    lines.push('    trace (rows in → out per stage):');
    for (const t of r.trace) lines.push(`      ${String(t.line).padStart(3)}:${String(t.column).padEnd(3)} ${String(t.rowsIn).padStart(5)} → ${String(t.rowsOut).padEnd(5)} ${safeText(t.operator)}${t.rowsIn > 0 && t.rowsOut === 0 ? '   ← all rows dropped here' : ''}`);
  }
  return lines.join('\n');
}

export function formatGithub(r: TestResult): string {
  return `::error file=${escapeProperty(r.file)},line=${r.line},title=${escapeProperty(`test ${r.platform}`)}::${escapeData(formatFailure(r))}`;
}

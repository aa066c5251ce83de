/** Formats detection test results: failures with expected vs actual and the per-stage trace. */
import type { TestResult } from '../testing/run-tests.ts';

function json(v: unknown): string {
  const s = JSON.stringify(v);
  return s.length > 400 ? `${s.slice(0, 397)}…` : s;
}

export function formatFailure(r: TestResult): string {
  const lines = [`✗ ${r.detection} › ${r.test} [${r.platform}]  (${r.file}:${r.line})`, `    ${r.message}`];
  for (const m of r.mismatches ?? []) {
    if (m.expected !== undefined) lines.push(`    expected: ${json(m.expected)}`);
    if (m.actual !== undefined) lines.push(`    actual:   ${json(m.actual)}`);
  }
  if (r.trace?.length) {
    lines.push('    trace (rows in → out per stage):');
    for (const t of r.trace) lines.push(`      ${String(t.line).padStart(3)}:${String(t.column).padEnd(3)} ${String(t.rowsIn).padStart(5)} → ${String(t.rowsOut).padEnd(5)} ${t.operator}${t.rowsIn > 0 && t.rowsOut === 0 ? '   ← all rows dropped here' : ''}`);
  }
  return lines.join('\n');
}

export function formatGithub(r: TestResult): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return `::error file=${prop(r.file)},line=${r.line},title=${prop(`test ${r.platform}`)}::${esc(formatFailure(r))}`;
}

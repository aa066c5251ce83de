/**
 * Result comparison for the conformance suite: columns by name (and type when the case gives one), rows by
 * value with Kusto-aware equality — reals to 1e-9 relative, datetimes as instants (fraction digits and
 * "Z"/offset spelling do not matter), dynamics deeply. Returns the first difference as text, or null.
 */
export interface ExpectedColumn { name: string; type?: string }
export interface Expected { columns?: (ExpectedColumn | string)[]; rows: unknown[][]; ordered?: boolean }
export interface Actual { columns: { name: string; type: string }[]; rows: unknown[][] }

const ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** An ISO datetime → [epoch ms, remaining 100 ns ticks within the ms], or null when not a datetime. */
function instant(s: string): [number, number] | null {
  if (!ISO.test(s)) return null;
  const m = /\.(\d+)/.exec(s);
  const frac = (m?.[1] ?? '').padEnd(7, '0').slice(0, 7);
  const base = s.replace(/\.\d+/, '').replace(' ', 'T');
  const ms = Date.parse(/Z|[+-]\d{2}:?\d{2}$/.test(base) ? base : base + 'Z');
  if (Number.isNaN(ms)) return null;
  return [ms + Number(frac.slice(0, 3)), Number(frac.slice(3))];
}

export function valuesEqual(expected: unknown, actual: unknown): boolean {
  if (expected === actual) return true;
  if (expected === null || actual === null || expected === undefined || actual === undefined) return false;
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isNaN(expected) && Number.isNaN(actual)) return true;
    const scale = Math.max(Math.abs(expected), Math.abs(actual));
    return Math.abs(expected - actual) <= 1e-9 * scale;
  }
  if (typeof expected === 'string' && typeof actual === 'string') {
    const a = instant(expected);
    const b = a && instant(actual);
    return a !== null && b !== null && a[0] === b[0] && a[1] === b[1];
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    return expected.length === actual.length && expected.every((e, i) => valuesEqual(e, actual[i]));
  }
  if (typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(expected) && !Array.isArray(actual)) {
    const ek = Object.keys(expected as object).sort();
    const ak = Object.keys(actual as object).sort();
    return valuesEqual(ek, ak) && ek.every((k) => valuesEqual((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k]));
  }
  return false;
}

const rowsEqual = (e: unknown[], a: unknown[]) => e.length === a.length && e.every((v, i) => valuesEqual(v, a[i]));
const show = (v: unknown) => JSON.stringify(v);

export function compareResult(expected: Expected, actual: Actual): string | null {
  if (expected.columns) {
    const cols = expected.columns.map((c) => (typeof c === 'string' ? { name: c } : c));
    const names = actual.columns.map((c) => c.name);
    if (!valuesEqual(cols.map((c) => c.name), names)) return `columns: expected ${show(cols.map((c) => c.name))}, got ${show(names)}`;
    for (const [i, c] of cols.entries()) {
      if (c.type && c.type !== actual.columns[i]!.type) return `column ${c.name}: expected type ${c.type}, got ${actual.columns[i]!.type}`;
    }
  }
  const exp = expected.rows ?? [];
  if (exp.length !== actual.rows.length) return `expected ${exp.length} rows, got ${actual.rows.length}: ${show(actual.rows).slice(0, 400)}`;
  if (expected.ordered !== false) {
    for (const [i, row] of exp.entries()) {
      if (!rowsEqual(row, actual.rows[i]!)) return `row ${i}: expected ${show(row)}, got ${show(actual.rows[i])}`;
    }
    return null;
  }
  const unmatched = [...actual.rows];
  for (const row of exp) {
    const at = unmatched.findIndex((a) => rowsEqual(row, a));
    if (at < 0) return `expected row ${show(row)} not found in ${show(unmatched).slice(0, 400)}`;
    unmatched.splice(at, 1);
  }
  return null;
}

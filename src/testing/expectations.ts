/** Comparing a test's expectations with the engine's JSON output. */
import type { DetectionTest, FixtureRow } from '../detection/types.ts';
import type { EngineColumn } from '../engine/index.ts';
import { parseDateTime, parseTimespan } from '../engine/values/time.ts';

export interface Mismatch {
  message: string;
  expected?: unknown;
  actual?: unknown;
}

type JsonRow = Record<string, unknown>;

export function rowsAsObjects(columns: EngineColumn[], rows: unknown[][]): JsonRow[] {
  return rows.map((r) => Object.fromEntries(columns.map((c, i) => [c.name, r[i]])));
}

/**
 * Value equality as a detection author means it: datetimes as instants, numbers numerically, JSON deeply. A number
 * matches only a number (or the same text in a string column): null, "" and true are not 0 or 1. An object matches a
 * JSON text too, since AdditionalFields is a JSON string on Defender and a dynamic on Sentinel.
 */
export function sameValue(expected: unknown, actual: unknown, type: string | undefined): boolean {
  if (expected === null || expected === undefined) return actual === null || actual === undefined || actual === '';
  if (actual === null || actual === undefined) return false;
  if (type === 'datetime' && typeof expected === 'string' && typeof actual === 'string') return parseDateTime(expected) === parseDateTime(actual);
  if (type === 'timespan' && typeof expected === 'string' && typeof actual === 'string') return parseTimespan(expected) === parseTimespan(actual);
  if (typeof actual === 'number') {
    const n = typeof expected === 'number' ? expected : typeof expected === 'string' && expected.trim() !== '' ? Number(expected) : NaN;
    return n === actual || (Number.isFinite(n) && Math.abs(actual - n) <= 1e-9 * Math.max(1, Math.abs(actual)));
  }
  if (typeof expected === 'number') return typeof actual === 'string' && actual === String(expected);
  if (typeof expected === 'object') return JSON.stringify(normalise(expected)) === JSON.stringify(normalise(typeof actual === 'string' ? parsedJson(actual) : actual));
  return expected === actual || String(expected) === String(actual);
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function normalise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, normalise((v as JsonRow)[k])]));
  return v;
}

function matches(expected: FixtureRow, actual: JsonRow, types: Map<string, string>): boolean {
  return Object.entries(expected).every(([k, v]) => k in actual && sameValue(v, actual[k], types.get(k)));
}

/**
 * The Sentinel build renames the Defender time column (Timestamp → TimeGenerated), so a result column the author
 * knows as `Timestamp` comes back as `TimeGenerated` there. Expectations name columns in the source dialect; this
 * renames their keys to the emitted names, only where the result lacks the source name and has the target.
 */
export function inEmittedDialect(expect: DetectionTest['expect'], columns: EngineColumn[], renames: Record<string, string>): DetectionTest['expect'] {
  const returned = new Set(columns.map((c) => c.name));
  const active = Object.entries(renames).filter(([from, to]) => !returned.has(from) && returned.has(to));
  if (active.length === 0) return expect;
  const rename = (row: FixtureRow): FixtureRow => Object.fromEntries(Object.entries(row).map(([k, v]) => [active.find(([from]) => from === k)?.[1] ?? k, v]));
  return {
    ...expect,
    ...(expect.contains ? { contains: expect.contains.map(rename) } : {}),
    ...(expect.excludes ? { excludes: expect.excludes.map(rename) } : {}),
    ...(expect.rows ? { rows: expect.rows.map(rename) } : {}),
  };
}

export function checkExpectations(expect: DetectionTest['expect'], columns: EngineColumn[], rows: unknown[][]): Mismatch[] {
  const actual = rowsAsObjects(columns, rows);
  const types = new Map(columns.map((c) => [c.name, c.type]));
  const out: Mismatch[] = [];
  const unknownColumns = [...(expect.contains ?? []), ...(expect.excludes ?? []), ...(expect.rows ?? [])].flatMap((r) => Object.keys(r)).filter((k) => !types.has(k));
  if (unknownColumns.length) out.push({ message: `expectation names column(s) the query does not return: ${[...new Set(unknownColumns)].join(', ')} (it returns: ${columns.map((c) => c.name).join(', ')})` });
  if (expect.count !== undefined && actual.length !== expect.count) out.push({ message: `expected ${expect.count} row(s), got ${actual.length}`, expected: expect.count, actual: actual.length });
  for (const row of expect.contains ?? []) {
    if (!actual.some((a) => matches(row, a, types))) out.push({ message: 'expected row not found', expected: row, actual });
  }
  for (const row of expect.excludes ?? []) {
    const hit = actual.find((a) => matches(row, a, types));
    if (hit) out.push({ message: 'row that must not appear was returned', expected: row, actual: hit });
  }
  if (expect.rows) {
    const same = expect.rows.length === actual.length && expect.rows.every((r, i) => matches(r, actual[i]!, types));
    if (!same) out.push({ message: 'output differs from the expected rows (order matters)', expected: expect.rows, actual });
  }
  return out;
}

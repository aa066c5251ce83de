/**
 * Parsed JSON columns of a prepared table: for a string column whose texts are JSON objects or arrays (Defender's
 * AdditionalFields), each row's parse_json result, computed once at load instead of on every query that reads
 * the column. Kusto stores such a column as text, so every `todynamic(AdditionalFields)` would otherwise re-parse
 * every row; in the benchmark that parsing was 40% of the query time.
 *
 * A parsed value is served only when the row being evaluated *is* the table row currently streaming (see
 * RowCursor) and the argument reads that row's parsed column as it is, so it is exactly parseJson(text) by
 * construction: the answer depends on array identity, not on where the compiler thinks a row came from, and a miss
 * only falls back to parsing. Values are deep-frozen because they are shared by every run of every query: an
 * operator that mutated one in place would throw instead of changing later results.
 */
import { parseJson } from './json.ts';
import type { Table, Value } from './types.ts';

export interface JsonColumns {
  /** Positions of the parsed columns in the table's rows. */
  columns: number[];
  /** Per parsed column, per row: parseJson(row[column]). */
  values: unknown[][];
}

/**
 * The table row being pushed into the pipeline right now (set by the table's reader before each row, per run).
 * A nested read (a subquery started mid-row) overwrites it; lookups then miss and parse, which is still correct.
 */
export interface RowCursor {
  row: Value[] | null;
  index: number;
  json: JsonColumns | null;
}

export const newRowCursor = (): RowCursor => ({ row: null, index: -1, json: null });

/** Returned by lookupParsedJson when the row is not the table row being read, or the column is not parsed. */
export const NOT_PARSED = Symbol('kql-dac.not-parsed');

/** parseJson(row[column]) from the table's parsed column, when `row` is the cursor's row; otherwise NOT_PARSED. */
export function lookupParsedJson(cursor: RowCursor, row: Value[], column: number): unknown {
  const { json } = cursor;
  // Array identity only: comparing the texts would read each text, a cache miss per row on a large table.
  if (json === null || row !== cursor.row) return NOT_PARSED;
  const { columns } = json;
  for (let k = 0; k < columns.length; k++) if (columns[k] === column) return json.values[k]![cursor.index];
  return NOT_PARSED;
}

const JSON_COLUMNS = Symbol('kql-dac.json-columns');

export function jsonColumns(table: Table): JsonColumns | undefined {
  return (table as { [JSON_COLUMNS]?: JsonColumns })[JSON_COLUMNS];
}

/** 0: empty or blank, 1: a JSON container text (`{…}` or `[…]`), 2: anything else (scalars like `12` are left to parse at query time). */
function textKind(text: string): 0 | 1 | 2 {
  const first = text.charCodeAt(0);
  if (first === 123 || first === 91) return 1; // { [
  if (text === '') return 0;
  if (first > 32) return 2; // no leading whitespace, so not a container (Unicode spaces too: the column is just not parsed)
  const s = text.trimStart();
  return s === '' ? 0 : s.startsWith('{') || s.startsWith('[') ? 1 : 2;
}

/**
 * Parses the string columns whose every non-empty value looks like a JSON object or array (and that have at least
 * one), and attaches the result to the table. A column with any other text is left alone: it is not a JSON column.
 */
export function buildJsonColumns(table: Table): JsonColumns | undefined {
  const { rows } = table;
  // One row-major pass (a row's values are read while it is in cache), dropping a column at its first non-JSON text.
  let candidates = table.columns.flatMap((column, c) => (column.type === 'string' ? [{ c, containers: 0, rejected: false }] : []));
  for (let r = 0; r < rows.length && candidates.length; r++) {
    const row = rows[r]!;
    let rejected = false;
    for (const cand of candidates) {
      const v = row[cand.c];
      const k = typeof v === 'string' ? textKind(v) : 0;
      if (k === 1) cand.containers++;
      else if (k === 2) rejected = cand.rejected = true;
    }
    if (rejected) candidates = candidates.filter((cand) => !cand.rejected);
  }
  const columns = candidates.filter((cand) => cand.containers > 0).map((cand) => cand.c);
  if (columns.length === 0) return undefined;
  const values = columns.map((c) => rows.map((row) => deepFreeze(parseJson(row[c]))));
  const parsed: JsonColumns = { columns, values };
  Object.defineProperty(table, JSON_COLUMNS, { value: parsed });
  return parsed;
}

function deepFreeze(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) for (const item of value) deepFreeze(item);
  else for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

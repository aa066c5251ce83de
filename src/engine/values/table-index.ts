/**
 * Indexes built once when a table is prepared for many runs (preparedTable: benchmarks, large inputs), the way
 * a column store does at ingestion: for string columns with few distinct values (ActionType, Protocol…), the
 * row numbers holding each value, so `where Column == "literal"` right after the table visits only the matching
 * rows instead of reading every row. An index is a pure function of the table's values, which a prepared table
 * never changes, so it cannot change a result; building it is counted in load time.
 */
import type { Table, Value } from './types.ts';
import { internedString } from './strings.ts';

export interface TableIndexes {
  /** Column position → value → ascending row numbers. */
  equality: Map<number, Map<Value, Int32Array>>;
}

const INDEXES = Symbol('kql-dac.table-indexes');
/** More distinct values than this and an equality index stops paying for itself. */
const MAX_DISTINCT = 1024;

export function tableIndexes(table: Table): TableIndexes | undefined {
  return (table as { [INDEXES]?: TableIndexes })[INDEXES];
}

export function buildTableIndexes(table: Table): TableIndexes {
  const indexes: TableIndexes = { equality: new Map() };
  const { rows } = table;
  // Row-major passes (every column of a row while it is in cache), not one pass per column.
  // Pass 1: count each candidate column's values, dropping a column once it has too many distinct values.
  let candidates = table.columns.flatMap((column, c) => (column.type === 'string' ? [{ c, counts: new Map<Value, number>(), tooMany: false }] : []));
  for (let r = 0; r < rows.length && candidates.length; r++) {
    const row = rows[r]!;
    let dropped = false;
    for (const cand of candidates) {
      const v = row[cand.c];
      const n = cand.counts.get(v);
      if (n !== undefined) cand.counts.set(v, n + 1);
      else if (cand.counts.size < MAX_DISTINCT) cand.counts.set(v, 1);
      else dropped = cand.tooMany = true;
    }
    if (dropped) candidates = candidates.filter((cand) => !cand.tooMany);
  }
  // One value everywhere: nothing to skip.
  candidates = candidates.filter((cand) => cand.counts.size >= 2);
  // Pass 2: the row numbers of each value, ascending; each value is replaced by one interned copy of its text, so
  // `Column == "literal"` compares pointers (see internedString) whether the rows came from code or JSON.parse.
  // One entry per value (its row numbers, how many are filled, its interned text): one lookup per cell.
  type Entry = { ids: Int32Array; filled: number; text: Value };
  const built = candidates.map((cand) => ({
    c: cand.c,
    entries: new Map<Value, Entry>([...cand.counts].map(([v, n]) => [v, { ids: new Int32Array(n), filled: 0, text: typeof v === 'string' ? internedString(v) : v }])),
  }));
  for (let r = 0; r < rows.length && built.length; r++) {
    const row = rows[r]!;
    for (const b of built) {
      const entry = b.entries.get(row[b.c])!;
      entry.ids[entry.filled++] = r;
      row[b.c] = entry.text;
    }
  }
  for (const b of built) indexes.equality.set(b.c, new Map([...b.entries].map(([v, e]) => [v, e.ids])));
  Object.defineProperty(table, INDEXES, { value: indexes });
  return indexes;
}

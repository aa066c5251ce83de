/**
 * Benchmark: the embedded engine vs DuckDB on the same generated DeviceNetworkEvents rows.
 *   npm run bench [-- --rows N] [--duckdb-threads N]   (default 1,000,000 rows; DuckDB's default threads: one per core)
 * Prints load time, each detection's time and rows/s, peak memory, and the ratios to DuckDB. Exits 1 when
 * the two engines disagree on a query's result row count (a correctness check, not only a speed one).
 */
import { compileQuery, preparedTable } from '../src/engine/index.ts';
import { tablesFor } from '../src/kql/table-schemas.ts';
import { BENCH_COLUMNS, BENCH_NOW, generateRows } from './bench-data.ts';
import { BENCH_QUERIES } from './bench-queries.ts';
import { loadDuckDb, runDuckDb } from './bench-duckdb.ts';

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const rowCount = Number(argValue('--rows') ?? 1_000_000);
if (!Number.isInteger(rowCount) || rowCount <= 0) {
  console.error(`--rows must be a positive integer, got ${argValue('--rows')}`);
  process.exit(2);
}
const duckThreadsArg = argValue('--duckdb-threads');
const duckThreads = duckThreadsArg === undefined ? undefined : Number(duckThreadsArg);
if (duckThreads !== undefined && (!Number.isInteger(duckThreads) || duckThreads <= 0)) {
  console.error(`--duckdb-threads must be a positive integer, got ${duckThreadsArg}`);
  process.exit(2);
}
const repeats = 5; // best of five runs per query, for both engines (the first warms the JIT and caches; GC pauses and the other core's load land in some runs, not all)

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;
const ms = (t: number) => `${t.toFixed(0)} ms`;
let peakHeap = 0;
const sampleMemory = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));

async function time<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  const elapsed = performance.now() - start;
  sampleMemory();
  return [value, elapsed];
}

const [data, genMs] = await time(() => generateRows(rowCount));
console.log(`generated ${data.rows.length.toLocaleString('en-US')} DeviceNetworkEvents rows in ${ms(genMs)} (planted: ${JSON.stringify(data.planted)})`);

const schema = tablesFor('defender').get('DeviceNetworkEvents')!.columns;
const [table, engineLoadMs] = await time(() => preparedTable({ columns: BENCH_COLUMNS.map((c) => ({ ...c })), rows: data.rows }, schema));
const [conn, duckLoadMs] = await time(() => loadDuckDb(data.rows, duckThreads));
console.log(`load: engine ${ms(engineLoadMs)}, DuckDB ${ms(duckLoadMs)} (ratio ${(engineLoadMs / duckLoadMs).toFixed(2)}x)`);
data.rows = []; // both engines hold their own copy now; the generated arrays would only inflate peak memory

let engineTotal = 0;
let duckTotal = 0;
let mismatches = 0;
console.log('\nquery                                   engine      rows/s        DuckDB   ratio  result rows');
for (const q of BENCH_QUERIES) {
  const compiled = compileQuery(q.kql, { platform: 'defender' });
  let best = Infinity;
  let engineRows = 0;
  for (let r = 0; r < repeats; r++) {
    const [result, t] = await time(() => compiled.run({ now: BENCH_NOW, tables: { DeviceNetworkEvents: table } }));
    best = Math.min(best, t);
    engineRows = result.rows.length;
  }
  let duckBest = Infinity;
  let duckRows = 0;
  for (let r = 0; r < repeats; r++) {
    const [n, t] = await time(() => runDuckDb(conn, q.sql));
    duckBest = Math.min(duckBest, t);
    duckRows = n;
  }
  engineTotal += best;
  duckTotal += duckBest;
  const agree = engineRows === duckRows;
  if (!agree) mismatches++;
  const label = `${q.id} ${q.title}`.padEnd(38);
  const rate = `${Math.round(rowCount / (best / 1000)).toLocaleString('en-US')}`.padStart(12);
  console.log(`${label} ${ms(best).padStart(8)} ${rate} ${ms(duckBest).padStart(10)} ${(best / duckBest).toFixed(2).padStart(6)}x  ${engineRows}${agree ? '' : ` (DuckDB: ${duckRows} — MISMATCH)`}`);
}

// For scale: what parsing the AdditionalFields texts each query reads would cost per query. The engine parses a
// prepared table's JSON columns once at load (src/engine/values/json-columns.ts), inside its load time above.
const actionAt = table.columns.findIndex((c) => c.name === 'ActionType');
const fieldsAt = table.columns.findIndex((c) => c.name === 'AdditionalFields');
let parseFloor = 0;
for (const q of BENCH_QUERIES) {
  const action = /ActionType == ['"](\w+)['"]/.exec(q.kql)?.[1];
  const texts = table.rows.filter((r) => r[actionAt] === action).map((r) => r[fieldsAt] as string);
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const [, t] = await time(() => {
      let n = 0;
      for (const text of texts) if (JSON.parse(text) !== null) n++;
      return n;
    });
    best = Math.min(best, t);
  }
  parseFloor += best;
}

const peakRss = process.resourceUsage().maxRSS * 1024;
const duckLabel = duckThreads === undefined ? 'DuckDB' : `DuckDB on ${duckThreads} thread(s)`;
const target = duckThreads === undefined ? 'target ≤ 2x' : 'the target is against DuckDB as configured by default';
console.log(`\ntotal query time: engine ${ms(engineTotal)}, ${duckLabel} ${ms(duckTotal)} (ratio ${(engineTotal / duckTotal).toFixed(2)}x, ${target})`);
console.log(`for scale: JSON.parse of the AdditionalFields texts the five queries read takes ${ms(parseFloor)} (${(parseFloor / duckTotal).toFixed(2)}x DuckDB's total); the engine parses them once, at load`);
console.log(`load ratio ${(engineLoadMs / duckLoadMs).toFixed(2)}x (target ≤ 3x); peak RSS ${mb(peakRss)}, peak heap ${mb(peakHeap)} (target ≤ 2048 MB; includes DuckDB and the generated rows)`);
if (mismatches > 0) {
  console.error(`${mismatches} queries returned different row counts in the engine and DuckDB`);
  process.exit(1);
}

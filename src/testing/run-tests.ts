/**
 * Runs each detection's tests: for every test and every platform it covers, the platform's emitted query
 * (after the dialect rewrite) runs on the fixture rows with the test's frozen clock.
 */
import { queryForPlatform, type DialectResult } from '../build/dialect.ts';
import type { LoadedDetection } from '../detection/library.ts';
import { enabledPlatforms, type DetectionTest } from '../detection/types.ts';
import { compileQuery, EngineError, toJsonResult, type CompiledQuery, type EngineColumn, type InputTable, type StageTrace, traceSampleRecords } from '../engine/index.ts';
import { DEFENDER_FUNCTIONS } from '../kql/defender-functions.ts';
import { PLATFORMS, tablesFor, type Platform } from '../kql/table-schemas.ts';
import { checkExpectations, inEmittedDialect, type Mismatch } from './expectations.ts';
import { queryInputs, type QueryInputs } from './query-inputs.ts';
import { FixtureError, loadFixtureTable } from './fixtures.ts';
import { closest } from '../util/did-you-mean.ts';

/** Column renames the Sentinel dialect makes (see build/dialect.ts): expectations may use the source names. */
const SENTINEL_RENAMES = { Timestamp: 'TimeGenerated' };

export type TestStatus = 'passed' | 'failed' | 'error';

export interface TestResult {
  detection: string;
  detectionId: string;
  file: string;
  /** Line of the test in the detection file. */
  line: number;
  test: string;
  platform: Platform;
  status: TestStatus;
  message: string;
  mismatches?: Mismatch[];
  trace?: TestTraceStage[];
  durationMs: number;
}

export function runDetectionTests(detections: readonly LoadedDetection[], onResult?: (r: TestResult) => void): TestResult[] {
  const results: TestResult[] = [];
  for (const loaded of detections) {
    const tests = loaded.detection.tests ?? [];
    const cache = new Map<Platform, PlatformCache>();
    tests.forEach((test, index) => {
      for (const platform of test.platforms ?? enabledPlatforms(loaded.detection)) {
        const started = performance.now();
        const base = {
          detection: loaded.detection.name, detectionId: loaded.detection.id, file: loaded.file,
          line: loaded.source.positionOf(['tests', index, 'name']).line, test: test.name, platform,
        };
        const outcome = runGuarded(() => runOne(loaded, test, index, platform, cache));
        if (outcome.status !== 'passed') outcome.message += unreadTablesNote(test, inputsOf(loaded, platform, cache));
        const result = { ...base, ...outcome, durationMs: Math.round(performance.now() - started) };
        results.push(result);
        onResult?.(result);
      }
    });
  }
  return results;
}

/** A bug met by one test is that test's error: the other detections' results are still reported. */
function runGuarded(run: () => ReturnType<typeof runOne>): ReturnType<typeof runOne> {
  try {
    return run();
  } catch (err) {
    return { status: 'error', message: `internal error (please report it): ${(err as Error).message}` };
  }
}

/**
 * Expected values as the author wrote them: YAML reads `007` or `1.10` as a number, but in a string column the text
 * is what must match. A number becomes its written text only where that text reads as the same number, so it still
 * matches numerically in a number column (`.inf` stays Infinity).
 */
function expectAsWritten(loaded: LoadedDetection, index: number, expect: DetectionTest['expect']): DetectionTest['expect'] {
  const section = (name: 'contains' | 'excludes' | 'rows') => expect[name]?.map((row, j) => Object.fromEntries(Object.entries(row).map(([key, v]) => {
    if (typeof v !== 'number') return [key, v];
    const text = loaded.source.writtenText(['tests', index, 'expect', name, j, key]);
    return [key, text !== undefined && text !== String(v) && Number(text) === v ? text : v];
  })));
  const out: DetectionTest['expect'] = { ...expect };
  for (const name of ['contains', 'excludes', 'rows'] as const) if (expect[name]) out[name] = section(name)!;
  return out;
}

/**
 * Engine positions are relative to the query the platform runs (after the dialect rewrite: `Timestamp` →
 * `TimeGenerated`, `todynamic()` around property access); the author reads lines of the detection file.
 */
function fileLine(loaded: LoadedDetection, emitted: DialectResult, line: number, column: number): { line: number; column: number } {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = emitted.query.indexOf('\n', offset) + 1;
  return loaded.source.positionInScalar(['query'], emitted.sourceOffset(offset + column - 1));
}

/** A pipe stage of a failed test: where it is in the detection file, rows in and out, its first output rows. */
export interface TestTraceStage {
  operator: string;
  line: number;
  column: number;
  rowsIn: number;
  rowsOut: number;
  /** Up to three output rows keyed by column, in dac query's JSON conventions (ISO datetimes, Kusto timespans). */
  sample: Record<string, unknown>[];
}

function inFile(loaded: LoadedDetection, emitted: DialectResult, t: StageTrace): TestTraceStage {
  return { operator: t.operator, ...fileLine(loaded, emitted, t.line, t.column), rowsIn: t.rowsIn, rowsOut: t.rowsOut, sample: traceSampleRecords(t) };
}

/** An engine error's message with its query position given as the detection file's line and column. */
function located(loaded: LoadedDetection, emitted: DialectResult, err: EngineError): string {
  if (err.line === undefined || err.column === undefined) return err.message;
  const pos = fileLine(loaded, emitted, err.line, err.column);
  return `${err.detail} at ${loaded.file}:${pos.line}:${pos.column}`;
}

interface PlatformCache {
  /**
   * Compiled per set of fixture-only tables (lookups, invoke fixtures): the binder types the query against them,
   * so a test giving other tables or other column types needs its own compilation, never the first test's.
   */
  compiled: Map<string, CompiledQuery | Error>;
  inputs?: QueryInputs;
  /** The query this platform runs, with the map from its offsets back to the detection's query. */
  emitted?: DialectResult;
}

/**
 * Whether a test's table is declared to the binder as a fixture-only table (a lookup list, an invoke fixture). A
 * table or function that exists only on the other platform is not: the query deployed here could not read it, and
 * the test must fail as the deployment would, not pass on rows the platform never has.
 */
function fixtureOnly(name: string, platform: Platform): boolean {
  if (tablesFor(platform).has(name)) return false;
  const elsewhere = PLATFORMS.some((p) => p !== platform && tablesFor(p).has(name)) || (platform !== 'defender' && DEFENDER_FUNCTIONS.has(name));
  return !elsewhere;
}

function platformCache(cache: Map<Platform, PlatformCache>, platform: Platform): PlatformCache {
  let entry = cache.get(platform);
  if (!entry) cache.set(platform, (entry = { compiled: new Map() }));
  return entry;
}

/** What the query reads on the platform; computed only when a test needs it (one more Kusto analysis). */
function inputsOf(loaded: LoadedDetection, platform: Platform, cache: Map<Platform, PlatformCache>): QueryInputs {
  const entry = platformCache(cache, platform);
  entry.inputs ??= queryInputs(loaded.detection.query, platform);
  return entry.inputs;
}

/**
 * For a test that did not pass: fixture tables the query never reads (a misspelt table name leaves the real
 * table empty, and the engine's complaint about the missing table does not say which fixture was meant).
 */
function unreadTablesNote(test: DetectionTest, inputs: QueryInputs): string {
  const unread = Object.keys(test.tables ?? {}).filter((t) => !inputs.names.has(t));
  return unread.map((t) => {
    const guess = closest(t, inputs.tables);
    return `; note: the query does not read table ${t} given by the test${guess ? ` (did you mean ${guess}?)` : ''}`;
  }).join('');
}

function unknownUrl(loaded: LoadedDetection, testIndex: number, url: string, declared: string[]): FixtureError {
  const pos = loaded.source.positionOf(['tests', testIndex, 'externaldata', url], 'key');
  const guess = closest(url, declared, 12);
  const hint = guess ? `did you mean "${guess}"?` : declared.length ? `it reads: ${declared.join(', ')}` : 'it reads no externaldata';
  return new FixtureError({ file: loaded.file, line: pos.line, column: pos.column, path: `/tests/${testIndex}/externaldata`, severity: 'error', code: 'test/unknown-url', message: `the query reads no externaldata URL ${url}`, hint });
}

function runOne(loaded: LoadedDetection, test: DetectionTest, index: number, platform: Platform, cache: Map<Platform, PlatformCache>): Omit<TestResult, 'detection' | 'detectionId' | 'file' | 'line' | 'test' | 'platform' | 'durationMs'> {
  // The rule is never deployed there, so a pass would prove nothing (dac validate reports it as test/platform-disabled).
  if (!enabledPlatforms(loaded.detection).includes(platform)) return { status: 'error', message: `the test runs on ${platform}, where this detection is not enabled` };
  const fc = { loaded, testIndex: index, platform };
  let tables: Record<string, InputTable>;
  let externaldata: Record<string, InputTable>;
  try {
    tables = Object.fromEntries(Object.entries(test.tables ?? {}).map(([name, rows]) => [name, loadFixtureTable(fc, 'tables', name, rows)]));
    const urls = Object.keys(test.externaldata ?? {});
    const declared = urls.length ? inputsOf(loaded, platform, cache).externalData : new Map<string, EngineColumn[]>();
    for (const url of urls) if (!declared.has(url)) throw unknownUrl(loaded, index, url, [...declared.keys()]);
    externaldata = Object.fromEntries(Object.entries(test.externaldata ?? {}).map(([url, rows]) => [url, loadFixtureTable(fc, 'externaldata', url, rows, declared.get(url))]));
  } catch (err) {
    if (err instanceof FixtureError) return { status: 'error', message: err.message };
    throw err;
  }
  const entry = platformCache(cache, platform);
  const extraTables = Object.fromEntries(Object.entries(tables).filter(([n]) => fixtureOnly(n, platform)).sort(([a], [b]) => a.localeCompare(b)).map(([n, t]) => [n, t.columns]));
  const key = JSON.stringify(extraTables);
  const emitted = (entry.emitted ??= queryForPlatform(loaded.detection.query, platform));
  let compiled = entry.compiled.get(key);
  if (!compiled) {
    try {
      compiled = compileQuery(emitted.query, { platform, extraTables });
    } catch (err) {
      compiled = err as Error;
    }
    entry.compiled.set(key, compiled);
  }
  if (compiled instanceof Error) {
    const elsewhere = Object.keys(tables).filter((n) => !tablesFor(platform).has(n) && !fixtureOnly(n, platform));
    const note = elsewhere.length ? `; note: ${elsewhere.join(', ')} exist(s) only on the other platform, so the query cannot read it on ${platform} (set the test's platforms, or disable ${platform})` : '';
    return { status: 'error', message: (compiled instanceof EngineError ? located(loaded, emitted, compiled) : `cannot compile the query: ${compiled.message}`) + note };
  }
  try {
    const result = compiled.run({ now: test.now, tables, externaldata, trace: true });
    const json = toJsonResult(result);
    const written = expectAsWritten(loaded, index, test.expect);
    const expect = platform === 'sentinel' ? inEmittedDialect(written, json.columns, SENTINEL_RENAMES) : written;
    const mismatches = checkExpectations(expect, json.columns, json.rows);
    if (mismatches.length === 0) return { status: 'passed', message: `${json.rows.length} row(s)` };
    return { status: 'failed', message: mismatches.map((m) => m.message).join('; '), mismatches, trace: (result.trace ?? []).map((t) => inFile(loaded, emitted, t)) };
  } catch (err) {
    if (err instanceof EngineError) return { status: 'error', message: located(loaded, emitted, err) };
    return { status: 'error', message: `engine error: ${(err as Error).message}` };
  }
}

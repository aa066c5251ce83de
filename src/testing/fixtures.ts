/**
 * Fixture rows for detection tests: inline in the YAML or from .jsonl / .csv / .json files, checked against
 * the table schema of the platform under test. Unknown columns and wrong types are errors with the file
 * position; missing columns become typed nulls.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { displayPath, type LoadedDetection } from '../detection/library.ts';
import type { FixtureRows } from '../detection/types.ts';
import { markPrepared, type InputTable } from '../engine/index.ts';
import { fromInput, type Column, type KType } from '../engine/values/types.ts';
import { FILE_PROFILE_COLUMNS } from '../kql/defender-functions.ts';
import { PLATFORMS, tablesFor, type Platform } from '../kql/table-schemas.ts';
import { closest } from '../util/did-you-mean.ts';

export class FixtureError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(`${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.message}${diagnostic.hint ? ` (${diagnostic.hint})` : ''}`);
  }
}

/**
 * A rows file that cannot be used (missing, not a regular file, too big, malformed). The message is one line,
 * `file:line: why` where a line is known; callers turn it into their own error type (FixtureError, UsageError).
 */
export class RowsFileError extends Error {}

type Path = (string | number)[];

/** Rows of a file with the 1-based line each starts on, for messages. */
export interface FileRows {
  rows: Record<string, unknown>[];
  lines: number[];
  /** CSV: every cell is text, so a table outside the schema infers numbers and booleans from the text. */
  textCells?: boolean;
  /** CSV: the header's column names and line, checked even where no cell of a column has a value. */
  header?: { names: string[]; line: number };
}

export const ROWS_FILE_EXTENSIONS = ['.jsonl', '.ndjson', '.json', '.csv'];
/** Fixture files are a handful of rows; the cap keeps a huge or endless file from exhausting memory. */
export const MAX_ROWS_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Reads a rows file. `shown` is the path used in messages. Checks the extension and that the path is a regular
 * file under the size cap before reading: `/dev/zero` or a FIFO would otherwise be read forever.
 */
export function readRowsFile(path: string, shown = path): FileRows {
  const ext = extname(path).toLowerCase();
  if (!ROWS_FILE_EXTENSIONS.includes(ext)) throw new RowsFileError(`${shown}: fixture files must be .jsonl, .json or .csv (.ndjson reads as .jsonl)`);
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new RowsFileError(`${shown}: file not found`);
  }
  if (!st.isFile()) throw new RowsFileError(`${shown}: not a regular file`);
  if (st.size > MAX_ROWS_FILE_BYTES) throw new RowsFileError(`${shown}: ${Math.ceil(st.size / 2 ** 20)} MB is over the ${MAX_ROWS_FILE_BYTES / 2 ** 20} MB limit for rows files`);
  // A UTF-8 BOM (Excel writes one) would otherwise become part of the first column name or break JSON.parse.
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  if (ext === '.csv') return csvRows(text, shown);
  if (ext === '.json') return jsonArrayRows(text, shown);
  const rows: Record<string, unknown>[] = [];
  const lines: number[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new RowsFileError(`${shown}:${i + 1}: invalid JSON line: ${(err as Error).message}`);
    }
    rows.push(asRow(row, shown, i + 1));
    lines.push(i + 1);
  });
  return { rows, lines };
}

function asRow(value: unknown, shown: string, line: number): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RowsFileError(`${shown}:${line}: row is not a JSON object`);
  return value as Record<string, unknown>;
}

function jsonArrayRows(text: string, shown: string): FileRows {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    // V8 says "… at position 18 (line 3 column 8)": lead with the line, as every other rows-file error does.
    const message = (err as Error).message;
    const at = / in JSON at position \d+ \(line (\d+) column (\d+)\)$/.exec(message);
    throw new RowsFileError(at ? `${shown}:${at[1]}: invalid JSON: ${message.slice(0, at.index)} (column ${at[2]})` : `${shown}: invalid JSON: ${message}`);
  }
  if (!Array.isArray(data)) throw new RowsFileError(`${shown}: expected a JSON array of row objects`);
  const lines = arrayElementLines(text);
  return { rows: data.map((row, i) => asRow(row, shown, lines[i]!)), lines };
}

/** 1-based line on which each element of a top-level JSON array starts; `text` is known to be valid JSON. */
function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\n') line++; // never inside a string: valid JSON escapes it
    else if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (!/\s/.test(c)) {
      if (depth === 1 && expectElement && c !== ']') { lines.push(line); expectElement = false; }
      if (c === '"') inString = true;
      else if (c === '[' || c === '{') { depth++; if (depth === 1) expectElement = true; }
      else if (c === ']' || c === '}') depth--;
      else if (c === ',' && depth === 1) expectElement = true;
    }
  }
  return lines;
}

/** RFC 4180 CSV with a header row; empty cells are absent values. */
export function parseCsv(text: string, path = 'csv'): Record<string, unknown>[] {
  return csvRows(text, path).rows;
}

function csvRows(text: string, path: string): FileRows {
  const records: { fields: string[]; line: number }[] = [];
  let field = '';
  let record: string[] = [];
  let line = 1;
  let recordLine = 1;
  let quoteLine = 0; // line of the open quote while inside a quoted field, else 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoteLine) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoteLine = 0;
      else {
        // Line breaks inside a quoted field are data, but later messages must still name the physical line.
        if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
        field += c;
      }
    } else if (c === '"') quoteLine = line;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      field = '';
      if (record.some((f) => f !== '')) records.push({ fields: record, line: recordLine });
      record = [];
      recordLine = ++line;
    } else field += c;
  }
  // Without this check a stray quote swallows the rest of the file into one field.
  if (quoteLine) throw new RowsFileError(`${path}:${quoteLine}: quoted field is never closed`);
  if (field !== '' || record.length) { record.push(field); records.push({ fields: record, line: recordLine }); }
  const [header, ...rest] = records;
  if (!header) return { rows: [], lines: [], textCells: true };
  const seen = new Set<string>();
  for (const h of header.fields) {
    if (seen.has(h)) throw new RowsFileError(`${path}:${header.line}: column ${h === '' ? '(empty name)' : h} appears twice in the header`);
    seen.add(h);
  }
  const rows = rest.map(({ fields, line: at }) => {
    if (fields.length !== header.fields.length) throw new RowsFileError(`${path}:${at}: ${fields.length} fields, header has ${header.fields.length}`);
    return Object.fromEntries(header.fields.map((h, j) => [h, fields[j] === '' ? undefined : fields[j]]).filter(([, v]) => v !== undefined));
  });
  return { rows, lines: rest.map((r) => r.line), textCells: true, header: { names: header.fields, line: header.line } };
}

/**
 * The directory a detection's fixture files must stay in: the repository holding the detection (nearest
 * ancestor with `.git`), else the detection's own directory. Detection files arrive in pull requests, so a
 * `file:` must not reach /etc/passwd, the runner's home directory or a device.
 */
function fixtureRoot(detectionFile: string): string {
  const start = realpathSync(dirname(resolve(detectionFile)));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/** Resolves a fixture `file:` (relative to the detection file, as the schema documents) inside fixtureRoot. */
function confinedFixturePath(detectionFile: string, file: string): string {
  if (isAbsolute(file)) throw new RowsFileError(`${file}: must be a path relative to the detection file, not an absolute path`);
  const root = fixtureRoot(detectionFile);
  let real: string;
  try {
    // realpath follows symlinks, so a link inside the repository that points outside it is caught below.
    real = realpathSync(resolve(dirname(detectionFile), file));
  } catch {
    throw new RowsFileError(`${file}: file not found`);
  }
  const rel = relative(root, real);
  if (rel === '' || rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)) {
    throw new RowsFileError(`${file}: is outside the repository (${displayPath(root)}); fixture files belong under test/fixtures/`);
  }
  return real;
}

/** A whole number (or its text) a double cannot hold exactly: a fixture must not change it silently. */
function pastExactLong(value: unknown): boolean {
  if (typeof value === 'number') return Number.isInteger(value) && !Number.isSafeInteger(value);
  return typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value) && !Number.isSafeInteger(Number(value));
}

/**
 * JSON columns that one platform types as string and the other as dynamic (AdditionalFields) may be written as
 * YAML objects. Anywhere else an object, an array or a boolean in a string column is a mistake in the fixture, not
 * text: `DeviceName: {a: 1}` would otherwise arrive as '{"a":1}' and a test could pass for the wrong reason.
 */
function valueFor(value: unknown, type: KType, jsonColumn: boolean): unknown {
  if (type === 'string' && value !== null && typeof value === 'object') {
    if (!jsonColumn) throw new TypeError(`expected text, got ${Array.isArray(value) ? 'a list' : 'an object'} (only JSON columns such as AdditionalFields take one)`);
    return JSON.stringify(value);
  }
  if (type === 'string' && typeof value === 'boolean') throw new TypeError(`expected text, got ${value} (quote it: "${value}")`);
  if (type === 'dynamic' && typeof value === 'string' && /^\s*[[{]/.test(value)) {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

export interface FixtureContext {
  loaded: LoadedDetection;
  testIndex: number;
  platform: Platform;
}

/**
 * Loads one fixture table. For `externaldata`, `declared` is the column list the query declares for that URL
 * (undefined when the query reads no such URL); tables are typed by the platform schema.
 */
export function loadFixtureTable(fc: FixtureContext, section: 'tables' | 'externaldata', name: string, source: FixtureRows, declared?: Column[]): InputTable {
  const { loaded, testIndex, platform } = fc;
  const basePath: Path = ['tests', testIndex, section, name];
  const at = (path: Path, which: 'key' | 'value' = 'value') => loaded.source.positionOf(path, which);
  const fail = (path: Path, code: string, message: string, hint?: string, which: 'key' | 'value' = 'value'): never => {
    const pos = at(path, which);
    throw new FixtureError({ file: loaded.file, line: pos.line, column: pos.column, path: '/' + path.join('/'), severity: 'error', code, message, ...(hint ? { hint } : {}) });
  };
  let rows: Record<string, unknown>[];
  /** For rows from a file: the file as messages show it (relative to the working directory, the repository root in CI) and each row's line. */
  let fromFile: { shown: string; lines: number[]; textCells?: boolean; header?: FileRows['header'] } | undefined;
  if (Array.isArray(source)) rows = source;
  else {
    try {
      const path = confinedFixturePath(loaded.file, source.file);
      const shown = displayPath(path);
      const read = readRowsFile(path, shown);
      rows = read.rows;
      fromFile = { shown, lines: read.lines, ...(read.textCells ? { textCells: true } : {}), ...(read.header ? { header: read.header } : {}) };
    } catch (err) {
      if (!(err instanceof RowsFileError)) throw err;
      return fail([...basePath, 'file'], 'test/fixture-file', `cannot read fixture file: ${err.message}`);
    }
  }
  return typedTable(name, rows, platform, {
    ...(section === 'tables' ? {} : { externaldata: true, ...(declared ? { declared } : {}) }),
    ...(fromFile?.textCells ? { textCells: true } : {}),
    ...(fromFile?.header ? { header: fromFile.header.names } : {}),
    ...(fromFile ? {} : { writtenText: (row: number, key: string) => loaded.source.writtenText([...basePath, row, key]) }),
    onError: (e) => {
      const where = fromFile ? ` (${fromFile.shown}:${e.row < 0 ? fromFile.header?.line : fromFile.lines[e.row]})` : '';
      const rowPath: Path = fromFile ? [...basePath, 'file'] : [...basePath, e.row, e.key];
      return fail(rowPath, e.code, e.message + where, e.hint, e.code === 'test/unknown-column' ? 'key' : 'value');
    },
  });
}

/** A row of fixture data the schema rejects: which row (0-based; -1 for the CSV header) and key, and why. */
export interface RowProblem {
  row: number;
  key: string;
  code: 'test/unknown-column' | 'test/wrong-type';
  message: string;
  hint?: string;
}

export interface TypedTableOptions {
  /** For externaldata: the columns the query declares for the URL (then no platform schema applies). */
  declared?: Column[];
  externaldata?: boolean;
  /** The values are CSV text: a column outside the schema whose cells all read as numbers (or booleans) is typed so. */
  textCells?: boolean;
  /** The text a number was written as (YAML `007`), for a string column to keep it; undefined when unknown. */
  writtenText?: (row: number, key: string) => string | undefined;
  /** Column names a CSV header gives: each must be a column of the table, whether or not a cell uses it. */
  header?: string[];
  /** Reports a rejected value with the caller's notion of where it is (a YAML position, a file line). */
  onError: (problem: RowProblem) => never;
}

/**
 * Rows as the engine's typed table, the same way for `dac test` and `dac query`: a platform table (or Defender's
 * FileProfile) takes its schema's columns and types, unknown columns and wrong types are problems, missing columns
 * typed nulls; JSON columns take objects; on Sentinel one time column fills the other. Other tables take the
 * columns in the rows, typed from their values.
 */
export function typedTable(name: string, rows: Record<string, unknown>[], platform: Platform, options: TypedTableOptions): InputTable {
  const declared = options.declared;
  // Defender's FileProfile() has documented columns: its fixture is checked against them like a table's.
  const fileProfile = !options.externaldata && platform === 'defender' && name === 'FileProfile'
    ? { name, timeColumn: null, columns: FILE_PROFILE_COLUMNS.map(([n, type]) => ({ name: n, type })) }
    : undefined;
  const schema = !options.externaldata ? tablesFor(platform).get(name) ?? fileProfile : undefined;
  let columns: Column[];
  // The key each column was written under, where the list renamed it (for the written text of a number).
  let writtenKey = (key: string) => key;
  if (schema) columns = schema.columns.map((c) => ({ name: c.name, type: c.type }));
  else if (declared) {
    columns = declared;
    // A one-column list may name its column anything (the engine reads it positionally): use the declared name.
    const keys = new Set(rows.flatMap((r) => Object.keys(r)));
    if (declared.length === 1 && keys.size === 1 && !keys.has(declared[0]!.name)) {
      const [only] = keys;
      rows = rows.map((r) => ({ [declared[0]!.name]: r[only!] }));
      writtenKey = () => only!;
    }
  } else {
    // Fixture-only tables (externaldata lists, lookup tables): columns and types inferred from the rows.
    const names = [...new Set([...(options.header ?? []), ...rows.flatMap((r) => Object.keys(r))])];
    columns = names.map((n) => ({ name: n, type: inferType(rows.map((r) => r[n]), options.textCells === true) }));
  }
  const index = new Map(columns.map((c, i) => [c.name, i]));
  const jsonColumns = schema ? jsonColumnsOf(name) : new Set<string>();
  // On Sentinel, Defender tables carry both time columns; rows written with only one get the other filled in,
  // so one fixture serves both platforms (the Sentinel build filters on TimeGenerated).
  const sentinelTime = platform === 'sentinel' && index.has('TimeGenerated') && index.has('Timestamp');
  const unknownColumn = (row: number, key: string): never => {
    const guess = closest(key, index.keys());
    const message = declared
      ? `the query declares no column ${key} for externaldata ${name} (it declares: ${declared.map((c) => c.name).join(', ')})`
      : `${name} has no column ${key} on ${platform}`;
    return options.onError({ row, key, code: 'test/unknown-column', message, ...(guess ? { hint: `did you mean \`${guess}\`?` } : {}) });
  };
  for (const key of options.header ?? []) if (!index.has(key)) unknownColumn(-1, key);
  const out: unknown[][] = rows.map((row, r) => {
    const values: unknown[] = columns.map((c) => (c.type === 'string' ? '' : null));
    for (const [key, raw] of Object.entries(row)) {
      const i = index.get(key);
      if (i === undefined) unknownColumn(r, key);
      const column = columns[i!]!;
      // YAML reads `007` as 7: a string column keeps the text as written, a long too large for a double names it.
      const written = typeof raw === 'number' && (column.type === 'string' || column.type === 'long') ? options.writtenText?.(r, writtenKey(key)) : undefined;
      const value = column.type === 'string' ? written ?? raw : raw;
      try {
        if (column.type === 'long' && pastExactLong(raw)) {
          throw new TypeError(`${written ?? String(raw).trim()} is beyond ±2^53: the local engine holds longs as doubles and would round it to ${Number(raw)} (query literals that large are refused too)`);
        }
        values[i!] = fromInput(valueFor(value, column.type, !schema || jsonColumns.has(column.name)), column.type);
      } catch (err) {
        const owner = declared ? `externaldata ${name} column ${key}` : `${name}.${key}`;
        options.onError({ row: r, key, code: 'test/wrong-type', message: `${owner} is ${column.type}${declared ? '' : ` on ${platform}`}: ${(err as Error).message}` });
      }
    }
    if (sentinelTime) {
      const ts = index.get('Timestamp')!;
      const tg = index.get('TimeGenerated')!;
      if (values[tg] === null && !('TimeGenerated' in row)) values[tg] = values[ts];
      if (values[ts] === null && !('Timestamp' in row)) values[ts] = values[tg];
    }
    return values;
  });
  return markPrepared({ columns, rows: out });
}


/** Columns of a table that some platform types as dynamic (AdditionalFields: string on Defender, dynamic on Sentinel). */
function jsonColumnsOf(table: string): Set<string> {
  const out = new Set<string>();
  for (const p of PLATFORMS) for (const c of tablesFor(p).get(table)?.columns ?? []) if (c.type === 'dynamic') out.add(c.name);
  return out;
}

function inferType(values: unknown[], textCells: boolean): KType {
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length === 0) return 'string';
  if (textCells) {
    const text = present as string[];
    if (text.every((v) => /^[+-]?\d+$/.test(v) && Number.isSafeInteger(Number(v)))) return 'long';
    if (text.every((v) => /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v))) return 'real';
    if (text.every((v) => v === 'true' || v === 'false')) return 'bool';
  }
  if (present.every((v) => typeof v === 'boolean')) return 'bool';
  if (present.every((v) => typeof v === 'number' && Number.isInteger(v))) return 'long';
  if (present.every((v) => typeof v === 'number')) return 'real';
  if (present.every((v) => v instanceof Date)) return 'datetime';
  // ISO-8601 text (JSON Lines and CSV have no datetime type) is most likely a time: typed so ago() and bin() work.
  if (present.every((v) => v instanceof Date || (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)))) return 'datetime';
  if (present.every((v) => typeof v === 'string')) return 'string';
  return 'dynamic';
}

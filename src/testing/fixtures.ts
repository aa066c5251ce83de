/**
 * Fixture rows for detection tests: inline in the YAML or from .jsonl / .csv / .json files, checked against
 * the table schema of the platform under test. Unknown columns and wrong types are errors with the file
 * position; missing columns become typed nulls.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { LoadedDetection } from '../detection/library.ts';
import type { FixtureRows } from '../detection/types.ts';
import { markPrepared, type InputTable } from '../engine/index.ts';
import { fromInput, type Column, type KType } from '../engine/values/types.ts';
import { tablesFor, type Platform } from '../kql/table-schemas.ts';
import { closest } from '../util/did-you-mean.ts';

export class FixtureError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(`${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.message}${diagnostic.hint ? ` (${diagnostic.hint})` : ''}`);
  }
}

type Path = (string | number)[];

function readRowsFile(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.jsonl') || path.endsWith('.ndjson')) {
    return text.split(/\r?\n/).flatMap((line, i) => {
      if (!line.trim()) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch (err) {
        throw new Error(`${path}:${i + 1}: invalid JSON line: ${(err as Error).message}`);
      }
    });
  }
  if (path.endsWith('.json')) {
    const data = JSON.parse(text) as unknown;
    if (!Array.isArray(data)) throw new Error(`${path}: expected a JSON array of row objects`);
    return data as Record<string, unknown>[];
  }
  if (path.endsWith('.csv')) return parseCsv(text, path);
  throw new Error(`${path}: fixture files must be .jsonl, .json or .csv`);
}

/** RFC 4180 CSV with a header row; empty cells are absent values. */
export function parseCsv(text: string, path = 'csv'): Record<string, unknown>[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      field = '';
      if (record.some((f) => f !== '')) records.push(record);
      record = [];
    } else field += c;
  }
  if (field !== '' || record.length) { record.push(field); records.push(record); }
  const [header, ...rows] = records;
  if (!header) return [];
  return rows.map((r, i) => {
    if (r.length !== header.length) throw new Error(`${path}:${i + 2}: ${r.length} fields, header has ${header.length}`);
    return Object.fromEntries(header.map((h, j) => [h, r[j] === '' ? undefined : r[j]]).filter(([, v]) => v !== undefined));
  });
}

/** JSON columns that one platform types as string and the other as dynamic may be written as YAML objects. */
function valueFor(value: unknown, type: KType): unknown {
  if (type === 'string' && value !== null && typeof value === 'object') return JSON.stringify(value);
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
  let fromFile: string | undefined;
  if (Array.isArray(source)) rows = source;
  else {
    fromFile = resolve(dirname(loaded.file), source.file);
    try {
      rows = readRowsFile(fromFile);
    } catch (err) {
      return fail([...basePath, 'file'], 'test/fixture-file', `cannot read fixture file: ${(err as Error).message}`);
    }
  }
  const schema = section === 'tables' ? tablesFor(platform).get(name) : undefined;
  let columns: Column[];
  if (schema) columns = schema.columns.map((c) => ({ name: c.name, type: c.type }));
  else if (declared) {
    columns = declared;
    // A one-column list may name its column anything (the engine reads it positionally): use the declared name.
    const keys = new Set(rows.flatMap((r) => Object.keys(r)));
    if (declared.length === 1 && keys.size === 1 && !keys.has(declared[0]!.name)) {
      const [only] = keys;
      rows = rows.map((r) => ({ [declared[0]!.name]: r[only!] }));
    }
  } else {
    // Fixture-only tables (externaldata lists, lookup tables): columns and types inferred from the rows.
    const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    columns = names.map((n) => ({ name: n, type: inferType(rows.map((r) => r[n])) }));
  }
  const index = new Map(columns.map((c, i) => [c.name, i]));
  // On Sentinel, Defender tables carry both time columns; rows written with only one get the other filled in,
  // so one fixture serves both platforms (the Sentinel build filters on TimeGenerated).
  const sentinelTime = platform === 'sentinel' && index.has('TimeGenerated') && index.has('Timestamp');
  const out: unknown[][] = rows.map((row, r) => {
    const values: unknown[] = columns.map((c) => (c.type === 'string' ? '' : null));
    for (const [key, raw] of Object.entries(row)) {
      const i = index.get(key);
      const rowPath: Path = fromFile ? [...basePath, 'file'] : [...basePath, r, key];
      const where = fromFile ? ` (${fromFile.split('/').slice(-3).join('/')} row ${r + 1})` : '';
      if (i === undefined) {
        const guess = closest(key, index.keys());
        const message = declared
          ? `the query declares no column ${key} for externaldata ${name} (it declares: ${declared.map((c) => c.name).join(', ')})${where}`
          : `${name} has no column ${key} on ${platform}${where}`;
        fail(rowPath, 'test/unknown-column', message, guess ? `did you mean \`${guess}\`?` : undefined, 'key');
      }
      const column = columns[i!]!;
      try {
        values[i!] = fromInput(valueFor(raw, column.type), column.type);
      } catch (err) {
        const owner = declared ? `externaldata ${name} column ${key}` : `${name}.${key}`;
        fail(rowPath, 'test/wrong-type', `${owner} is ${column.type}${declared ? '' : ` on ${platform}`}: ${(err as Error).message}${where}`);
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


function inferType(values: unknown[]): KType {
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length === 0) return 'string';
  if (present.every((v) => typeof v === 'boolean')) return 'bool';
  if (present.every((v) => typeof v === 'number' && Number.isInteger(v))) return 'long';
  if (present.every((v) => typeof v === 'number')) return 'real';
  if (present.every((v) => v instanceof Date)) return 'datetime';
  if (present.every((v) => typeof v === 'string')) return 'string';
  return 'dynamic';
}

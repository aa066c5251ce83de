import { existsSync, readFileSync, statSync } from 'node:fs';
import { compileQuery, EngineError, MissingInputError, toJsonResult, type InputTable, type MissingInput } from '../../engine/index.ts';
import { readRowsFile, RowsFileError, typedTable, type FileRows } from '../../testing/fixtures.ts';
import { queryInputs } from '../../testing/query-inputs.ts';
import type { Column } from '../../engine/values/types.ts';
import { parseDateTime } from '../../engine/values/time.ts';
import { PLATFORMS, tablesFor, type Platform } from '../../kql/table-schemas.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseFormat } from '../diagnostics-output.ts';
import { closest } from '../../util/did-you-mean.ts';

/** The user's own files, so any path goes; the shared reader still refuses devices, directories and odd extensions. */
function readRows(path: string): FileRows {
  try {
    return readRowsFile(path);
  } catch (err) {
    if (err instanceof RowsFileError) throw new UsageError(err.message);
    throw err;
  }
}

function loadTable(name: string, path: string, platform: Platform, declared?: Column[]): InputTable {
  const { rows, lines, textCells, header } = readRows(path);
  return typedTable(name, rows, platform, {
    ...(textCells ? { textCells } : {}),
    ...(header ? { header: header.names } : {}),
    ...(declared ? { externaldata: true, declared } : {}),
    onError: (problem) => {
      throw new UsageError(`${path}:${problem.row < 0 ? header?.line : lines[problem.row]}: ${problem.message}${problem.hint ? ` (${problem.hint.replaceAll("`", "")})` : ''}`);
    },
  });
}

/** A cell of the aligned table: line breaks and tabs written as escapes, so a row stays one line. */
function tableCell(v: unknown): string {
  const text = v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return text.replace(/\r/g, '\\r').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
}

function table(columns: Column[], rows: unknown[][]): string {
  const cells = [columns.map((c) => c.name), ...rows.map((r) => r.map(tableCell))];
  // A loop, not Math.max(...column): spreading one argument per row overflows the stack past ~120,000 rows.
  const widths = columns.map((_, i) => {
    let width = 0;
    for (const r of cells) width = Math.max(width, r[i]!.length);
    return Math.min(60, width);
  });
  const line = (r: string[]) => r.map((c, i) => (c.length > 60 ? `${c.slice(0, 59)}…` : c).padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

function csv(columns: Column[], rows: unknown[][]): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [columns.map((c) => cell(c.name)).join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n');
}

/** How dac query takes an input the query reads and the command line did not give. */
function missingInputMessage(input: MissingInput): string {
  switch (input.kind) {
    case 'externaldata': return `the query reads externaldata ${input.name} (nothing is fetched): pass its rows with --externaldata '${input.name}=path'`;
    case 'watchlist': return `the query reads watchlist '${input.name}': pass its rows (SearchKey and the watchlist's columns) with --table ${input.name}=path`;
    case 'geo': return `geo_info_from_ip_address() reads its answers from a table: pass it with --table ${input.name}=path (first column: IPv4 address or CIDR; then country, state, city, latitude, longitude)`;
    default: return `the query reads table ${input.name}: pass rows with --table ${input.name}=path`;
  }
}

/**
 * --externaldata URL=path: the URL is the text inside [...] and may itself hold '=' (query strings), so the path
 * starts after the last '='. The columns come from the query's declaration.
 */
function loadExternalData(specs: string[], query: string, platform: Platform): Record<string, InputTable> {
  const out: Record<string, InputTable> = {};
  if (!specs.length) return out;
  const declared = queryInputs(query, platform).externalData;
  for (const spec of specs) {
    const at = spec.lastIndexOf('=');
    if (at <= 0 || at === spec.length - 1) throw new UsageError(`--externaldata expects URL=path, got ${spec}`);
    const url = spec.slice(0, at);
    const columns = declared.get(url);
    if (!columns) {
      const guess = closest(url, declared.keys(), 12);
      throw new UsageError(`the query reads no externaldata URL ${url}${guess ? ` (did you mean ${guess}?)` : declared.size ? ` (it reads ${[...declared.keys()].join(', ')})` : ' (it reads none)'}`);
    }
    if (Object.hasOwn(out, url)) throw new UsageError(`--externaldata ${url} is given twice`);
    out[url] = loadTable(url, spec.slice(at + 1), platform, columns);
  }
  return out;
}

/**
 * A misspelt --table name would leave the real table without rows and the engine's message speaks of tests: say
 * which --table is missing (a usage error) and warn about --table entries the query never reads.
 */
function checkTables(query: string, platform: Platform, tables: Record<string, InputTable>, stderr: (s: string) => void): void {
  const inputs = queryInputs(query, platform);
  const reads = inputs.tables.length ? `it reads ${inputs.tables.join(', ')}` : 'it reads no table of the platform schema';
  for (const name of Object.keys(tables).filter((t) => !inputs.names.has(t))) {
    const guess = closest(name, inputs.tables);
    stderr(`dac query: warning: the query does not read table ${name} given by --table${guess ? ` (did you mean ${guess}?)` : ''}; ${reads}\n`);
  }
  const missing = inputs.tables.filter((t) => !Object.hasOwn(tables, t));
  if (missing.length) throw new UsageError(`the query reads ${missing.length === 1 ? 'table' : 'tables'} ${missing.join(', ')}: pass rows with ${missing.map((t) => `--table ${t}=path`).join(' ')}`);
}

export const command: Command = {
  name: 'query',
  summary: 'Run any KQL query locally on rows from files',
  usage: "(--file Q.kql | -q 'KQL') [--table Name=rows.jsonl|.csv|.json]… [--externaldata URL=rows]… [--now ISO] [--platform defender|sentinel] [--format table|json|csv]",
  description: [
    'Runs the query in the embedded engine. Tables known to the platform schema are typed by it (unknown columns',
    'are errors); other tables take their types from the values. ago() and now() use --now (default: the current',
    'time). JSON output: {"columns":[{"name","type"}],"rows":[[…]]} with ISO datetimes and Kusto timespan literals.',
    'Exit 1 when the query is invalid or uses something the engine does not support; 2 for bad arguments.',
  ].join('\n'),
  options: {
    file: { type: 'string', description: 'File holding the query', valueName: 'path' },
    query: { type: 'string', short: 'q', description: 'The query text', valueName: 'kql' },
    table: { type: 'string', multiple: true, description: 'Rows of a table: Name=path (.jsonl, .csv, .json); repeatable', valueName: 'Name=path' },
    externaldata: { type: 'string', multiple: true, description: 'Rows an externaldata URL serves (nothing is fetched): URL=path; repeatable', valueName: 'URL=path' },
    now: { type: 'string', description: 'Frozen clock for now() and ago() (ISO-8601)', valueName: 'iso' },
    platform: { type: 'string', description: 'Table schemas to bind against: defender (default) or sentinel', valueName: 'name' },
    format: { type: 'string', description: 'Output: table (default), json, csv', valueName: 'fmt' },
  },
  async run(ctx) {
    const format = parseFormat(ctx.values.format, ['table', 'json', 'csv'] as const, 'table');
    // Not parseFormat: its message names --format whatever the option.
    const platformName = (ctx.values.platform as string | undefined) ?? 'defender';
    if (!(PLATFORMS as readonly string[]).includes(platformName)) throw new UsageError(`--platform must be one of ${PLATFORMS.join(', ')} (got ${platformName})`);
    const platform = platformName as Platform;
    if (ctx.positionals.length) throw new UsageError(`unexpected argument${ctx.positionals.length > 1 ? 's' : ''} ${ctx.positionals.join(' ')} (give the query with --file or -q)`);
    const file = ctx.values.file as string | undefined;
    const inline = ctx.values.query as string | undefined;
    if (!file === !inline) throw new UsageError('give exactly one of --file or -q');
    if (file && !existsSync(file)) throw new UsageError(`query file not found: ${file}`);
    if (file && statSync(file).isDirectory()) throw new UsageError(`query file is a directory: ${file}`);
    const query = file ? readFileSync(file, 'utf8') : inline!;
    // Checked here so a bad clock is a usage error (exit 2), not a query problem; the engine reads the same forms.
    const now = (ctx.values.now as string | undefined) ?? new Date().toISOString();
    if (parseDateTime(now) === null) throw new UsageError(`--now is not a valid datetime: ${now} (ISO-8601, e.g. 2026-03-01T12:00:00Z)`);
    const tables: Record<string, InputTable> = {};
    for (const spec of (ctx.values.table as string[] | undefined) ?? []) {
      const m = /^([A-Za-z_][\w]*)=(.+)$/.exec(spec);
      if (!m) throw new UsageError(`--table expects Name=path, got ${spec}`);
      if (Object.hasOwn(tables, m[1]!)) throw new UsageError(`--table ${m[1]} is given twice`);
      tables[m[1]!] = loadTable(m[1]!, m[2]!, platform);
    }
    try {
      const extraTables = Object.fromEntries(Object.entries(tables).filter(([n]) => !tablesFor(platform).has(n)).map(([n, t]) => [n, t.columns]));
      const compiled = compileQuery(query, { platform, extraTables });
      // After compiling, so an invalid query is still reported as such (exit 1) before any missing --table.
      checkTables(query, platform, tables, ctx.stderr);
      const externaldata = loadExternalData((ctx.values.externaldata as string[] | undefined) ?? [], query, platform);
      const result = toJsonResult(compiled.run({ now, tables, externaldata }));
      if (format === 'json') ctx.stdout(JSON.stringify(result) + '\n');
      else if (format === 'csv') ctx.stdout(csv(result.columns, result.rows) + '\n');
      else ctx.stdout(`${table(result.columns, result.rows)}\n(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})\n`);
      return 0;
    } catch (err) {
      if (err instanceof MissingInputError) throw new UsageError(missingInputMessage(err.input));
      if (err instanceof EngineError) {
        // With --file, lead with file:line:column so editors and CI annotations can jump to it.
        const where = file && err.line !== undefined ? `${file}:${err.line}:${err.column}: ` : '';
        ctx.stderr(`dac query: ${where}${where ? err.detail : err.message}\n`);
        return 1;
      }
      throw err;
    }
  },
};

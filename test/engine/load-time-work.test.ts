// Work moved out of the per-row path: parsed JSON columns of prepared tables, and extends that copy only the
// columns read later. Each must give exactly the results of the plain path.
import { describe, expect, it } from 'vitest';
import { compileQuery, preparedTable } from '../../src/engine/index.ts';
import { internedString } from '../../src/engine/values/strings.ts';
import { jsonColumns, lookupParsedJson, newRowCursor, NOT_PARSED } from '../../src/engine/values/json-columns.ts';
import { columnsReadAfter } from '../../src/engine/compiler/column-liveness.ts';
import { engineGlobalState } from '../../src/engine/compiler/global-state.ts';
import { kind } from '../../src/engine/compiler/context.ts';
import { kustoLanguage, type BridgeObject } from '../../src/kql/kusto-language.ts';

const NOW = '2024-01-01T00:00:00Z';
const columns = [
  { name: 'n', type: 'long' as const },
  { name: 'F', type: 'string' as const },
  { name: 'Plain', type: 'string' as const },
  { name: 'Mixed', type: 'string' as const },
];
const texts = [
  '{"a":"x","list":[3,1,2],"inner":{"b":1}}',
  '  {"a":"y","list":[9,8]}',
  '',
  '{"a":',
  '[1,{"a":"z"}]',
  '{"a":"x","list":[],"inner":null}',
];
const raw = texts.map((f, i) => [i + 1, f, `p${i}`, i === 2 ? 'not json' : '{"m":1}']);
const plain = { columns, rows: raw };

function results(kql: string, prepared = preparedTable({ columns, rows: raw })) {
  const q = compileQuery(kql, { platform: 'defender', extraTables: { T: columns } });
  return {
    plain: q.run({ now: NOW, tables: { T: plain } }).rows,
    prepared: q.run({ now: NOW, tables: { T: prepared } }).rows,
    again: q.run({ now: NOW, tables: { T: prepared } }).rows,
    traced: q.run({ now: NOW, tables: { T: prepared }, trace: true }).rows,
  };
}

describe('prepared tables: parsed JSON columns', () => {
  it('parses string columns whose non-blank texts are all JSON objects or arrays, and only those', () => {
    const table = preparedTable({ columns, rows: raw });
    const parsed = jsonColumns(table)!;
    expect(parsed.columns).toEqual([1]); // not n (a number), Plain (no JSON) or Mixed (one text is not JSON)
    expect(parsed.values[0]).toEqual([
      { a: 'x', list: [3, 1, 2], inner: { b: 1 } },
      { a: 'y', list: [9, 8] },
      null,
      '{"a":', // malformed JSON stays the text, as parse_json gives it
      [1, { a: 'z' }],
      { a: 'x', list: [], inner: null },
    ]);
    expect(Object.isFrozen(parsed.values[0]![0])).toBe(true);
    expect(Object.isFrozen((parsed.values[0]![0] as { inner: object }).inner)).toBe(true);
  });

  it('serves a parsed value only for the table row being read, and only for its parsed column', () => {
    const table = preparedTable({ columns, rows: raw });
    const row = table.rows[0]!;
    const cursor = { ...newRowCursor(), row, index: 0, json: jsonColumns(table)! };
    expect(lookupParsedJson(cursor, row, 1)).toEqual({ a: 'x', list: [3, 1, 2], inner: { b: 1 } });
    expect(lookupParsedJson(cursor, row, 3)).toBe(NOT_PARSED); // Mixed is not parsed
    expect(lookupParsedJson(cursor, [...row], 1)).toBe(NOT_PARSED); // a copy with the same values is another row
    expect(lookupParsedJson({ ...cursor, json: null }, row, 1)).toBe(NOT_PARSED);
  });

  it.each([
    ['members and indexes', 'T | extend j = todynamic(F) | project n, a = tostring(j.a), b = toint(j.inner.b), f1 = j[1].a, isstr = gettype(j)'],
    ['parse_json in a filter', 'T | where tostring(parse_json(F).a) == "x" | project n'],
    ['mv-expand of a parsed array', 'T | extend j = parse_json(F) | mv-expand item = j.list | project n, item'],
    ['sorting a parsed array leaves the parsed value as it was', 'T | extend j = parse_json(F) | extend s = array_sort_asc(j.list), d = array_sort_desc(j.list) | project n, s, d, list = j.list'],
    ['aggregating parsed values', 'T | extend j = parse_json(F) | summarize make_set(j.list), make_list(j.inner), count() by a = tostring(j.a)'],
    ['a text from another row (toscalar mid-row)', 'T | extend x = tostring(parse_json(toscalar(T | where n == 2 | project F)).a), y = tostring(parse_json(F).a) | project n, x, y'],
    ['a nested read of the same table between parses', 'T | extend c = toscalar(T | count), a = tostring(parse_json(F).a) | project n, c, a'],
    ['after a join (rows no longer the table\'s)', 'T | join kind=inner (T | project n, G = F) on n | project n, a = tostring(parse_json(G).a), b = tostring(parse_json(F).a)'],
    ['an index-served filter', 'T | where Plain == "p1" | project a = tostring(parse_json(F).a)'],
  ])('gives the plain path\'s results: %s', (_, kql) => {
    const r = results(kql);
    expect(r.prepared).toEqual(r.plain);
    expect(r.again).toEqual(r.plain);
    expect(r.traced).toEqual(r.plain);
  });
});

describe('extend copies only the columns read later', () => {
  function readLater(kql: string): string[] | null {
    const L = kustoLanguage();
    const code = L.KustoCode.ParseAndAnalyze(kql, engineGlobalState('defender', { T: columns }, new Set()));
    const find = (node: BridgeObject): BridgeObject | undefined => {
      if (kind(node) === 'ExtendOperator') return node;
      for (let i = 0; i < node.ChildCount; i++) {
        const child = node.GetChild(i);
        const hit = child && find(child);
        if (hit) return hit;
      }
      return undefined;
    };
    const set = columnsReadAfter(find(code.Syntax)!);
    return set && [...set].filter((name) => columns.some((c) => c.name === name)).sort();
  }

  it('names the columns the stages after it, up to a project or summarize, read', () => {
    expect(readLater('T | extend j = parse_json(F) | where n > 1 | summarize count() by tostring(j.a)')).toEqual(['n']);
    expect(readLater('T | extend x = 1 | sort by Plain asc | take 3 | project n, x')).toEqual(['Plain', 'n']);
    expect(readLater('T | extend x = 1 | top 2 by n | distinct Mixed')).toEqual(['Mixed', 'n']);
  });

  it('is "every column" when a later stage could see columns it does not name', () => {
    expect(readLater('T | extend x = 1')).toBeNull(); // the result has every column
    expect(readLater('T | extend x = 1 | where n > 1')).toBeNull();
    expect(readLater('T | extend x = 1 | summarize arg_max(n, *)')).toBeNull();
    expect(readLater('T | extend x = 1 | project-away Plain')).toBeNull();
    expect(readLater('T | extend x = 1 | project y = pack_all()')).toBeNull();
    expect(readLater('T | extend x = 1 | project y = column_ifexists("Plain", "")')).toBeNull();
    expect(readLater('let x = T | extend y = 1 | where n > 2; x | project y')).toBeNull(); // a let's rows are a result
  });

  it.each([
    'T | extend j = parse_json(F) | extend a = tostring(j.a) | where a != "" | summarize count() by a',
    'T | extend x = n * 2 | sort by x desc | take 2 | project n, x, Plain',
    'T | extend Plain = strcat(Plain, "!") | top 3 by n | project Plain, Mixed',
    'T | extend x = n | extend y = x + 1 | where y > 2 | project y, Mixed',
    'T | extend x = n | summarize arg_max(x, *)',
    'T | extend x = n | take 2',
    'T | extend k = n % 2 | distinct k, Mixed',
    'T | extend k = n % 2 | count',
    'let f = (v: long) { v + 1 }; T | extend x = f(n) | project x, Plain',
    'T | extend n = n * 10, m = n + 1, p = Plain | where m > 20 | project n, m, p',
    'T | extend j = parse_json(F), a = tostring(parse_json(F).a) | extend b = tostring(j.a) | project a, b',
  ])('gives the results of a full copy: %s', (kql) => {
    const r = results(kql);
    expect(r.prepared).toEqual(r.plain);
    expect(r.traced).toEqual(r.plain); // a traced run copies every column
  });
});

describe('prepared tables: indexed string columns hold interned texts', () => {
  // Texts built at run time (as JSON.parse or a CSV reader produce them), so they are not V8's interned copies.
  const kinds = ['HttpConnectionInspected', 'SshConnectionInspected', '__proto__', '123', '', 'constructor'];
  const built = (i: number) => JSON.parse(JSON.stringify(kinds[i % kinds.length]!)) as string;
  const cols = [{ name: 'n', type: 'long' as const }, { name: 'ActionType', type: 'string' as const }];
  const rows = Array.from({ length: 60 }, (_, i) => [i, built(i)]);

  it('keeps every value equal to its text, including texts that are property names of Object.prototype', () => {
    const table = preparedTable({ columns: cols, rows });
    expect(table.rows.map((r) => r[1])).toEqual(rows.map((r) => r[1]));
    expect(internedString('__proto__')).toBe('__proto__');
    expect(internedString('123')).toBe('123');
    expect(internedString('')).toBe('');
  });

  it.each(kinds)('where ActionType == %j gives the plain path’s rows', (k) => {
    const q = compileQuery(`T | where ActionType == ${JSON.stringify(k)} | summarize c = count(), s = sum(n)`, { platform: 'defender', extraTables: { T: cols } });
    const plain = q.run({ now: NOW, tables: { T: { columns: cols, rows } } }).rows;
    const prepared = q.run({ now: NOW, tables: { T: preparedTable({ columns: cols, rows }) } }).rows;
    expect(prepared).toEqual(plain);
    expect(plain[0]![0]).toBe(10);
  });
});

// Row-at-a-time execution and lazily parsed JSON: the fast paths must give exactly the results of the plain ones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileQuery, executeKql, preparedTable } from '../../src/engine/index.ts';
import { tableIndexes } from '../../src/engine/values/table-index.ts';
import { kustoLanguage, type BridgeObject } from '../../src/kql/kusto-language.ts';
import { engineGlobalState } from '../../src/engine/compiler/global-state.ts';
import { memberOnlyColumn } from '../../src/engine/compiler/lazy-json.ts';
import { member } from '../../src/engine/compiler/scalar.ts';
import { parseJson } from '../../src/engine/functions/dynamic.ts';
import { LazyJson } from '../../src/engine/values/lazy-json.ts';

const NOW = '2024-01-01T00:00:00Z';
const T = {
  columns: [{ name: 'a', type: 'long' as const }, { name: 's', type: 'string' as const }],
  rows: [
    [1, '{"direction":"Out","n":5,"tags":["x","y"],"inner":{"k":true},"dup":1,"dup":2}'],
    [2, '{"direction":"In","n":-1.5e2}'],
    [3, '{"direction":"Out","n":01}'],
    [4, 'not json'],
    [5, ''],
    [6, '{"direction":"Out","path":"C:\\\\temp"}'],
  ],
};
const run = (kql: string, trace = false) => compileQuery(kql, { platform: 'defender', extraTables: { T: T.columns } }).run({ now: NOW, tables: { T }, trace });

describe('LazyJson reads members exactly as JSON.parse would', () => {
  const eager = (text: string, key: string) => member(parseJson(text), key);
  const lazy = (text: string, key: string) => member(text.charCodeAt(0) === 123 ? new LazyJson(text) : parseJson(text), key);

  it('valid objects: every key, absent keys, duplicate keys (last wins) and inherited names', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), (obj, extra) => {
        const text = JSON.stringify(obj);
        for (const key of [...Object.keys(obj), extra, 'constructor', '__proto__']) expect(lazy(text, key)).toEqual(eager(text, key));
      }),
      { numRuns: 300 },
    );
    expect(lazy('{"a":1,"a":2}', 'a')).toBe(2);
  });

  it('malformed or unusual texts fall back to the same answer', () => {
    const pieces = ['{', '}', '[', ']', '"', ':', ',', ' ', 'a', '1', '01', '-', '.5', 'e9', 'true', 'nul', 'null', '\\', '\\n', '\n', '\t', '\u0001', 'é'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 14 }), fc.constantFrom('a', '1', 'x'), (parts, key) => {
        const text = '{' + parts.join('');
        expect(lazy(text, key)).toEqual(eager(text, key));
      }),
      { numRuns: 2000 },
    );
    for (const text of ['{"a":1,}', '{"a":01}', '{"a":"x\u0001"}', ' {"a":1}', '{"a":1} x', '{"a":tru}', '{"a" 1}']) expect(lazy(text, 'a')).toEqual(eager(text, 'a'));
  });
});

describe('lazy JSON columns in queries', () => {
  const columnUse = (kql: string, column: string): boolean => {
    const code = kustoLanguage().KustoCode.ParseAndAnalyze(kql, engineGlobalState('defender', { T: T.columns }, new Set()));
    let extend: BridgeObject | undefined;
    const stack = [code.Syntax];
    while (stack.length && !extend) {
      const n = stack.pop()!;
      if (n.constructor?.$$name?.endsWith('ExtendOperator')) extend = n;
      for (let i = 0; i < n.ChildCount; i++) if (n.GetChild(i)) stack.push(n.GetChild(i));
    }
    return memberOnlyColumn(code.Syntax, extend!, column);
  };

  it('are chosen only when every use is a member access and the column is dropped before it can escape', () => {
    expect(columnUse('T | extend j = todynamic(s) | where tostring(j.direction) == "Out" | top 2 by a | project a', 'j')).toBe(true);
    expect(columnUse('T | extend j = todynamic(s) | summarize count() by d = tostring(j["direction"])', 'j')).toBe(true);
    expect(columnUse('T | extend j = todynamic(s) | where tostring(j.direction) == "Out"', 'j')).toBe(false); // reaches the result
    expect(columnUse('T | extend j = todynamic(s) | project a, j', 'j')).toBe(false); // read whole
    expect(columnUse('T | extend j = todynamic(s) | where isnotnull(j) | project a', 'j')).toBe(false);
    expect(columnUse('T | extend j = todynamic(s) | summarize arg_max(a, *)', 'j')).toBe(false); // carried by *
    expect(columnUse('T | extend j = todynamic(s) | join (T) on a | project a', 'j')).toBe(false);
  });

  it('give the same rows as eager parsing, including malformed text, duplicates, escapes and nested values', () => {
    const body = '| extend d = tostring(j.direction), n = toreal(j.n), t = j.tags[1], k = j.inner.k, dup = j.dup, p = tostring(j.path)';
    const lazy = run(`T | extend j = todynamic(s) ${body} | project a, d, n, t, k, dup, p`).rows;
    const eager = run(`T | extend j = todynamic(s) ${body} | project a, d, n, t, k, dup, p, j`).rows.map((r) => r.slice(0, 7));
    expect(lazy).toEqual(eager);
    expect(lazy).toEqual([
      [1, 'Out', 5, 'y', true, 2, ''],
      [2, 'In', -150, null, null, null, ''],
      [3, '', null, null, null, null, ''],
      [4, '', null, null, null, null, ''],
      [5, '', null, null, null, null, ''],
      [6, 'Out', null, null, null, null, 'C:\\temp'],
    ]);
  });

  it('show their parsed value in trace samples', () => {
    const r = run('T | extend j = parse_json(s) | where a == 2 | project d = tostring(j.direction)', true);
    expect(r.rows).toEqual([['In']]);
    expect(r.trace!.find((t) => t.operator.startsWith('where'))!.sample).toEqual([[2, T.rows[1]![1], { direction: 'In', n: -150 }]]);
  });
});

describe('row-at-a-time stages', () => {
  it('take stops reading its input once it has its rows', () => {
    const r = run('T | extend b = a * 2 | take 2', true);
    expect(r.rows).toEqual([[1, T.rows[0]![1], 2], [2, T.rows[1]![1], 4]]);
    expect(r.trace![0]).toMatchObject({ operator: 'T', rowsOut: 2 });
  });

  it('rows kept by a let, a sort or a union are copies, never the scratch rows later stages overwrite', () => {
    const q = 'let x = T | project a | extend b = a * 10; union (x | extend c = b + 1 | project a, b), (x | sort by a asc | take 2) | order by a asc, b asc';
    expect(run(q).rows).toEqual([[1, 10], [1, 10], [2, 20], [2, 20], [3, 30], [4, 40], [5, 50], [6, 60]]);
    expect(executeKql('datatable(a:long)[3,1,2] | extend b = a | extend c = b * 2 | summarize arg_max(c, *)').rows).toEqual([[6, 3, 3]]);
  });
});

describe('prepared tables: equality indexes', () => {
  const columns = [{ name: 'ActionType', type: 'string' as const }, { name: 'n', type: 'long' as const }, { name: 'Empty', type: 'string' as const }];
  const raw = Array.from({ length: 500 }, (_, i) => [['A', 'B', 'C'][i % 3], i, '']);

  it('index low-cardinality string columns only, with row numbers in table order', () => {
    const table = preparedTable({ columns, rows: raw });
    const idx = tableIndexes(table)!;
    expect([...idx.equality.keys()]).toEqual([0]); // not the numbers, not a column with one value everywhere
    expect(Array.from(idx.equality.get(0)!.get('B')!).slice(0, 3)).toEqual([1, 4, 7]);
  });

  it('a filter served from the index returns exactly what the full scan returns, in the same order', () => {
    const prepared = preparedTable({ columns, rows: raw });
    for (const kql of ['T | where ActionType == "B" and n % 5 == 0', 'T | where "C" == ActionType | where n > 400 | take 3', 'T | where (ActionType == "Z")', 'T | where ActionType == "A" or n == 1 | count']) {
      const q = compileQuery(kql, { platform: 'defender', extraTables: { T: columns } });
      const indexed = q.run({ now: NOW, tables: { T: prepared } }).rows;
      const scanned = q.run({ now: NOW, tables: { T: { columns, rows: raw } } }).rows;
      expect(indexed).toEqual(scanned);
    }
  });
});

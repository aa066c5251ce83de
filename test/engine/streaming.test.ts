// Row-at-a-time execution and table indexes: the fast paths must give exactly the results of the plain ones.
import { describe, expect, it } from 'vitest';
import { compileQuery, executeKql, preparedTable } from '../../src/engine/index.ts';
import { tableIndexes } from '../../src/engine/values/table-index.ts';

const NOW = '2024-01-01T00:00:00Z';
const T = {
  columns: [{ name: 'a', type: 'long' as const }, { name: 's', type: 'string' as const }],
  rows: [1, 2, 3, 4, 5, 6].map((a) => [a, `s${a}`]),
};
const run = (kql: string, trace = false) => compileQuery(kql, { platform: 'defender', extraTables: { T: T.columns } }).run({ now: NOW, tables: { T }, trace });

describe('dynamic member access', () => {
  it('reads own properties only: a bag has no constructor or toString member', () => {
    expect(executeKql(`print a = isnull(parse_json('{"a":1}')['constructor']), b = isnull(parse_json('{"a":1}').toString), c = parse_json('{"constructor":2}')['constructor']`).rows).toEqual([[true, true, 2]]);
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

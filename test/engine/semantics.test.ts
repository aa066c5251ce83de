import { describe, expect, it } from 'vitest';
import { compileQuery, EngineError, executeKql, preparedTable } from '../../src/engine/index.ts';
import { SCALAR_FUNCTIONS } from '../../src/engine/functions/registry.ts';

const rows = (q: string, now = '2024-05-01T12:00:00Z') => executeKql(q, { now }).rows;
const one = (q: string, now?: string) => rows(q, now)[0];

describe('string operators follow Kusto case and term rules', () => {
  it('== is case-sensitive, =~ is not, contains is not, has matches whole terms', () => {
    expect(one('print a = "Abc" == "abc", b = "Abc" =~ "abc", c = "xAbCx" contains "abc", d = "xAbCx" contains_cs "abc"')).toEqual([false, true, true, false]);
    expect(one('print a = "North America" has "america", b = "North America" has "amer", c = "a.b-c" has "b", d = "xyz" !has "y"')).toEqual([true, false, true, true]);
    expect(one('print a = "Hello" startswith "he", b = "Hello" startswith_cs "he", c = "Hello" !endswith "LO"')).toEqual([true, false, false]);
  });

  it('in is case-sensitive, in~ is not, and both accept subqueries', () => {
    expect(one('print a = "A" in ("a", "b"), b = "A" in~ ("a", "b"), c = "c" !in ("a")')).toEqual([false, true, true]);
    expect(rows('let T = datatable(x:string)["a","b","c"]; T | where x in ((datatable(y:string)["b","c"]))')).toEqual([['b'], ['c']]);
  });

  it('matches regex uses RE2: (?i) works, lookarounds are refused', () => {
    expect(one('print a = "ABC" matches regex "(?i)b", b = "ABC" matches regex "b"')).toEqual([true, false]);
    expect(() => rows('print a = "abc" matches regex "a(?=b)"')).toThrow(/RE2/);
  });
});

describe('types and nulls', () => {
  it('long division is integral, real is not; arithmetic with null is null', () => {
    expect(one('print a = 7 / 2, b = 7.0 / 2, c = long(null) + 1, d = 7 % 3')).toEqual([3, 3.5, null, 1]);
  });

  it('comparisons with null follow the null-values page: != keeps a null row, == and < drop it', () => {
    expect(rows('datatable(x:long)[1, long(null), 3] | where x != 1')).toEqual([[null], [3]]);
    expect(rows('datatable(x:long)[1, long(null), 3] | where x == 3 or x < 2')).toEqual([[1], [3]]);
    expect(rows('datatable(x:long)[1, long(null), 3] | where isnull(x)')).toEqual([[null]]);
  });

  it('dynamic access: bags, arrays, negative and out-of-range indexes', () => {
    expect(one('print j = dynamic({"a":[10,20,30],"b":{"c":"x"}}) | project a1 = j.a[1], lastItem = j.a[-1], oor = j.a[7], c = j.b.c, absent = j.zzz')).toEqual([20, 30, null, 'x', null]);
  });

  it('parse_json of text that is not JSON keeps the string; tostring of dynamic is JSON', () => {
    expect(one('print a = tostring(parse_json("not json")), b = tostring(dynamic({"k":1})), c = tostring(parse_json(\'{"k":true}\').k)')).toEqual(['not json', '{"k":1}', 'true']);
  });

  it('datetimes keep 100 ns precision; timespans print as Kusto literals', () => {
    expect(one('print d = datetime(2024-01-01T00:00:00.1234567Z) + 1tick, t = 1d + 2h + 3s, neg = -1h')).toEqual(['2024-01-01T00:00:00.1234568Z', '1.02:00:03', '-01:00:00']);
  });

  it('ago() and now() use the frozen clock', () => {
    expect(one('print now(), ago(1d), bin(datetime(2024-05-01T11:47:00Z), 15m)')).toEqual(['2024-05-01T12:00:00Z', '2024-04-30T12:00:00Z', '2024-05-01T11:45:00Z']);
  });
});

describe('tabular operators', () => {
  it('summarize names default columns like Kusto (count_, dcount_x, max_x) and yields one row without by', () => {
    const r = executeKql('datatable(x:long, g:string)[1,"a",2,"a",2,"b"] | summarize count(), dcount(x), max(x) by g');
    expect(r.columns.map((c) => c.name)).toEqual(['g', 'count_', 'dcount_x', 'max_x']);
    expect(r.rows).toEqual([['a', 2, 2, 2], ['b', 1, 1, 2]]);
    expect(rows('datatable(x:long)[] | summarize count()')).toEqual([[0]]);
  });

  it('arg_max keeps the row of the maximum, including with *', () => {
    expect(rows('datatable(k:string, t:long, v:string)["a",1,"x","a",3,"y","b",2,"z"] | summarize arg_max(t, v) by k')).toEqual([['a', 3, 'y'], ['b', 2, 'z']]);
    expect(rows('datatable(k:string, t:long, v:string)["a",1,"x","a",3,"y"] | summarize arg_max(t, *) by k')).toEqual([['a', 3, 'y']]);
  });

  it('join defaults to innerunique (left deduplicated by key) and supports the other kinds', () => {
    const L = 'let L = datatable(k:string, l:long)["a",1,"a",2,"b",3]; let R = datatable(k:string, r:long)["a",10,"a",20,"c",30];';
    expect(rows(`${L} L | join R on k`)).toEqual([['a', 1, 'a', 10], ['a', 1, 'a', 20]]);
    expect(rows(`${L} L | join kind=inner R on k`).length).toBe(4);
    expect(rows(`${L} L | join kind=leftanti R on k`)).toEqual([['b', 3]]);
    expect(rows(`${L} L | join kind=leftsemi R on k`)).toEqual([['a', 1], ['a', 2]]);
    expect(rows(`${L} L | join kind=rightanti R on k`)).toEqual([['c', 30]]);
    expect(rows(`${L} L | join kind=fullouter R on $left.k == $right.k`).length).toBe(6);
  });

  it('sort defaults to descending with nulls last; asc puts nulls first', () => {
    expect(rows('datatable(x:long)[2, long(null), 3, 1] | sort by x').map((r) => r[0])).toEqual([3, 2, 1, null]);
    expect(rows('datatable(x:long)[2, long(null), 3, 1] | sort by x asc').map((r) => r[0])).toEqual([null, 1, 2, 3]);
    expect(rows('datatable(x:long)[2, 3, 1] | top 2 by x').map((r) => r[0])).toEqual([3, 2]);
  });

  it('mv-expand, distinct, union, count, project-away/rename/reorder', () => {
    expect(rows('print k = "a", v = dynamic([1,2]) | mv-expand v')).toEqual([['a', 1], ['a', 2]]);
    expect(rows('datatable(x:long)[1,1,2] | distinct x')).toEqual([[1], [2]]);
    expect(rows('datatable(x:long)[1] | union (datatable(x:long, y:string)[2, "b"]) | count')).toEqual([[2]]);
    expect(executeKql('print a = 1, b = 2, c = 3 | project-away b | project-rename z = a | project-reorder c').columns.map((c) => c.name)).toEqual(['c', 'z']);
  });

  it('let functions, tabular lets and toscalar', () => {
    expect(one('let twice = (x:long) { x * 2 }; let T = datatable(v:long)[4, 5]; print a = twice(3), b = toscalar(T | summarize max(v))')).toEqual([6, 5]);
  });
});

describe('failing loudly', () => {
  it('an unsupported operator is a compile-time error with its position', () => {
    expect(() => compileQuery('print x = 1\n| evaluate bag_unpack(x)', { platform: 'defender' })).toThrow(/not supported by the local engine: EvaluateOperator .* at 2:3/);
  });

  it('a function implementation that never reads an argument is refused at compile time, not silently wrong', () => {
    // The docs' examples found startofday, extract_all, array_index_of and hash ignoring arguments; the compiler now
    // watches which arguments an implementation reads. Simulate an implementation that forgets its second one.
    const original = SCALAR_FUNCTIONS.startofday!;
    SCALAR_FUNCTIONS.startofday = ([d]) => (row, rt) => d!.fn(row, rt);
    try {
      expect(() => executeKql('print startofday(datetime(2024-01-01 10:00), 1)')).toThrow(/not supported by the local engine: startofday\(\) with argument 2 \(1\): the local engine does not implement it at 1:46/);
    } finally {
      SCALAR_FUNCTIONS.startofday = original;
    }
    expect(one('print startofday(datetime(2024-01-01 10:00), 1)')).toEqual(['2024-01-02T00:00:00Z']);
  });

  it('a KQL error is reported with its position before anything runs', () => {
    const err = (() => { try { compileQuery('print x = nosuch', { platform: 'defender' }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).message).toMatch(/KS142.*at 1:11/);
  });

  it('externaldata without fixture rows fails naming the URL; with rows it is served locally', () => {
    const q = 'externaldata(u:string)["https://example.org/list.txt"] with (format="txt")';
    expect(() => executeKql(q)).toThrow(/externaldata reads https:\/\/example\.org\/list\.txt; the test must provide its rows/);
    expect(executeKql(q, { externaldata: { 'https://example.org/list.txt': { columns: [{ name: 'line', type: 'string' }], rows: [['a'], ['b']] } } }).rows).toEqual([['a'], ['b']]);
  });
});

describe('found by the load-time-work property test', () => {
  const T = { columns: [{ name: 'n', type: 'long' as const }, { name: 's', type: 'string' as const }], rows: [[1, 'a']] };
  const run = (q: string, table: object = T) => compileQuery(q, { platform: 'defender', extraTables: { T: T.columns } }).run({ now: '2024-01-01T00:00:00Z', tables: { T: table as typeof T } }).rows;

  it('extend items read the input row, as Kusto.Language binds them, also after an earlier item redefines a column', () => {
    expect(run('T | extend n = n * 10, m = n + 1')).toEqual([[10, 'a', 2]]);
    expect(run('T | extend x = 5 | extend n = n * 10, m = n + 1, x = x * 2')).toEqual([[10, 'a', 10, 2]]); // grown in place
    expect(() => run('T | extend x = 1, y = x + 1')).toThrow(/KS142/);
  });

  it('distinct * then extend never writes into the table rows', () => {
    const prepared = preparedTable(T);
    for (let i = 0; i < 2; i++) expect(run('T | distinct * | extend s = strcat(" ", s), x = 1', prepared)).toEqual([[1, ' a', 1]]);
    expect(prepared.rows).toEqual([[1, 'a']]);
    expect(run('union (T | distinct * | extend s = strcat(" ", s)), (T | project n, s)')).toEqual([[1, ' a'], [1, 'a']]);
  });

  it('aggregates with nothing to report give empty strings, not nulls, for string columns', () => {
    expect(run('T | where n > 5 | summarize arg_max(n, *) | extend l = strlen(s)')).toEqual([[null, '', 0]]);
    expect(run('T | where n > 5 | summarize min(s), take_any(s)')).toEqual([['', '']]);
  });

  it('arg_max(…, *) by a renamed key leaves the key column out, as the binder does', () => {
    expect(run('T | summarize arg_max(n, *) by x = s')).toEqual([['a', 1]]);
  });
});

describe('join innerunique with a later where (filter push-down, as Kusto does)', () => {
  const T = 'let t1 = datatable(key: long, value: string)[1, "val1.1", 1, "val1.2"]; let t2 = datatable(key: long, value: string)[1, "val1.3", 1, "val1.4"]; t1 | join t2 on key';
  it('left-only conjuncts run before the de-duplication, the others after the join', () => {
    expect(executeKql(`${T} | where value == "val1.2" and value1 == "val1.4"`).rows).toEqual([[1, 'val1.2', 1, 'val1.4']]);
    expect(executeKql(`${T} | where (value1 == "val1.4")`).rows).toEqual([[1, 'val1.1', 1, 'val1.4']]);
    expect(executeKql(`${T} | where value == "val1.2" or value1 == "val1.4"`).rows).toEqual([[1, 'val1.1', 1, 'val1.4']]);
  });
  it('other join kinds are not rewritten', () => {
    expect(executeKql(`${T.replace('join t2', 'join kind=inner t2')} | where value == "val1.2" | count`).rows).toEqual([[2]]);
  });
});

describe('fixture-only tables', () => {
  it('two queries may give a table of the same name different columns (bound against each one\'s own)', () => {
    const a = compileQuery('X | project a', { platform: 'defender', extraTables: { X: [{ name: 'a', type: 'long' }] } });
    const b = compileQuery('X | project b', { platform: 'defender', extraTables: { X: [{ name: 'b', type: 'string' }] } });
    expect(a.columns).toEqual([{ name: 'a', type: 'long' }]);
    expect(b.columns).toEqual([{ name: 'b', type: 'string' }]);
  });
});

describe('summarize keys and make_set (fast paths keep Kusto semantics)', () => {
  it('two typed keys group by value, null apart from every value, in order of first appearance', () => {
    const r = rows('datatable(d:string, t:long, v:long)["a",1,1, "b",1,2, "a",1,3, "a",long(null),4, "b",1,5, "a",long(null),6] | summarize s = sum(v), n = count() by d, t');
    expect(r).toEqual([['a', 1, 4, 2], ['b', 1, 7, 2], ['a', null, 10, 2]]);
  });

  it('make_set keeps first occurrences in order, past the size where it switches to a hash set, and keeps 1 and "1" apart in dynamic values', () => {
    const r = rows('range i from 1 to 30 step 1 | extend v = i % 12 | summarize s = make_set(v)');
    expect(r[0]![0]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0]);
    expect(one('print d = dynamic([1, "1", 1, "1"]) | mv-expand d | summarize s = make_set(d)')![0]).toEqual([1, '1']);
  });

  it('ipv4_is_private and parse_ipv4 accept dotted quads with an optional prefix and nothing else', () => {
    expect(one('print a = ipv4_is_private("10.1.2.3"), b = ipv4_is_private("172.32.0.1"), c = ipv4_is_private("192.168.0.1/24"), d = ipv4_is_private("10.1.2"), e = ipv4_is_private("256.1.1.1")')).toEqual([true, false, true, null, null]);
    expect(one('print a = parse_ipv4("001.2.3.4"), b = parse_ipv4("1.2.3.4/"), c = parse_ipv4(" 1.2.3.4 "), d = parse_ipv4("1..2.3"), e = parse_ipv4("255.255.255.255")')).toEqual([16909060, null, 16909060, null, 4294967295]);
  });
});

describe('forms found in published rules (corpus)', () => {
  it('dynamic literals with verbatim, single-quoted and escaped strings', () => {
    expect(one(`print a = dynamic([@'C:\\dir', @"say ""hi""", 'it\\'s', "tab\\there", {'k': 1}])`)![0]).toEqual(['C:\\dir', 'say "hi"', "it's", 'tab\there', { k: 1 }]);
  });

  it('join on several $left/$right equalities joined with and', () => {
    const q = 'let L = datatable(Port:long, Protocol:string, x:string)[80,"tcp","a", 80,"udp","b", 53,"udp","c"]; let R = datatable(DestinationPort:long, Protocol:string)[80,"tcp", 53,"udp"];';
    expect(rows(`${q} L | join kind=inner R on $left.Port == $right.DestinationPort and $left.Protocol == $right.Protocol | project x`)).toEqual([['a'], ['c']]);
  });

  it('the deprecated makeset/makelist and a parenthesized aggregate', () => {
    expect(rows('datatable(a:string, b:long)["x",1,"x",2,"x",1,"y",3] | summarize s = makeset(b), l = (makelist(b)) by a')).toEqual([['x', [1, 2], [1, 2, 1]], ['y', [3], [3]]]);
  });

  it('scalar expressions over aggregates: each aggregate folds on its own, the expression runs once per group', () => {
    const T = 'datatable(k:string, ok:bool, x:long)["a",true,1, "a",false,3, "b",true,10]';
    const r = executeKql(`let f = 10; ${T} | summarize Rate = round(100.0 * countif(ok) / count(), 1), s = tostring(make_set(x)), y = sum(x) * f by k`);
    expect(r.columns).toEqual([{ name: 'k', type: 'string' }, { name: 'Rate', type: 'real' }, { name: 's', type: 'string' }, { name: 'y', type: 'long' }]);
    expect(r.rows).toEqual([['a', 50, '[1,3]', 40], ['b', 100, '[10]', 100]]);
    // Kusto's default names for unnamed expressions; an empty input still gives one row without `by`.
    expect(executeKql(`${T} | summarize count() + 1, max(x) - min(x)`).columns.map((c) => c.name)).toEqual(['Column1', 'Column2']);
    expect(rows(`${T} | where x > 100 | summarize a = count() * 2, b = tostring(make_list(x))`)).toEqual([[0, '[]']]);
    expect(() => executeKql(`${T} | summarize round(percentile(x, 50), 1)`)).toThrow(/not supported by the local engine: aggregate percentile\(\) at 1:/);
  });

  it('a tuple-named arg_max and next() after serialize (the beaconing rules of the corpus)', () => {
    const r = executeKql('datatable(k:string, c:long, d:long)["a",1,10,"a",5,20,"b",2,30] | summarize (MaxC, AtD) = arg_max(c, d), T = sum(c) by k');
    expect(r.columns.map((c) => c.name)).toEqual(['k', 'MaxC', 'AtD', 'T']);
    expect(r.rows).toEqual([['a', 5, 20, 6], ['b', 2, 30, 2]]);
    const beacons = `datatable(SourceIP:string, TimeGenerated:datetime)["10.0.0.1", datetime(2024-01-01 00:00:00), "10.0.0.2", datetime(2024-01-01 00:00:10), "10.0.0.1", datetime(2024-01-01 00:01:00), "10.0.0.1", datetime(2024-01-01 00:02:00)]
      | sort by SourceIP asc, TimeGenerated asc | serialize
      | extend nextTimeGenerated = next(TimeGenerated, 1), nextSourceIP = next(SourceIP, 1)
      | extend TimeDeltainSeconds = datetime_diff('second', nextTimeGenerated, TimeGenerated)
      | where SourceIP == nextSourceIP | project SourceIP, TimeDeltainSeconds`;
    expect(rows(beacons)).toEqual([['10.0.0.1', 60], ['10.0.0.1', 60]]);
  });

  it('window functions need a serialized row set, as in Kusto', () => {
    expect(() => executeKql('datatable(t:long)[1,5] | extend p = prev(t)')).toThrow(/prev\(\) needs a serialized row set: put \| serialize or \| sort by … before this stage .* at 1:26/);
    expect(() => executeKql('datatable(t:long)[1,5] | sort by t | summarize count() | extend r = row_number()')).toThrow(/row_number\(\) needs a serialized row set/);
    expect(() => executeKql('datatable(t:long)[1,5] | serialize | summarize x = max(prev(t))')).toThrow(/not supported by the local engine: prev\(\) outside extend, project, where or serialize/);
    expect(rows('datatable(t:long)[1,5,6,20] | serialize | where t - prev(t) > 3 | project t, rn = row_number()')).toEqual([[5, 1], [20, 2]]);
  });

  it('variance and stdev families: conditional forms, nulls ignored, and no guess for a sample of one', () => {
    expect(rows('range x from 1 to 5 step 1 | summarize stdevif(x, x > 2), varianceif(x, x % 2 == 1), variancepif(x, x < 3)')).toEqual([[1, 4, 0.25]]);
    expect(rows('datatable(x:long)[2, long(null), 4] | summarize variance(x), stdevp(x)')).toEqual([[2, 1]]);
    expect(rows('range x from 1 to 1 step 1 | summarize stdevp(x), variancep(x)')).toEqual([[0, 0]]);
    expect(() => executeKql('range x from 1 to 1 step 1 | summarize stdev(x)')).toThrow(/stdev\(\) of a group with one value: .* does not guess .* at 1:40/);
  });

  it('make_bag skips values that are not property bags and keeps the first value of a repeated key', () => {
    expect(rows('datatable(d:dynamic)[dynamic({"a":1}), dynamic([1,2]), dynamic({"a":2,"b":3}), dynamic(null)] | summarize make_bag(d), make_bag_if(d, isnotnull(d.b))')).toEqual([[{ a: 1, b: 3 }, { a: 2, b: 3 }]]);
  });

  it('a by expression naming its column inside the call: bin(FiveMinutes=Timestamp, 5m)', () => {
    const r = executeKql('datatable(t:datetime)[datetime(2024-01-01 00:07), datetime(2024-01-01 00:03), datetime(2024-01-01 00:09)] | summarize n = count() by bin(FiveMin=t, 5m) | project FiveMin, n');
    expect(r.rows).toEqual([['2024-01-01T00:05:00Z', 2], ['2024-01-01T00:00:00Z', 1]]);
    expect(rows('print bin(roundTo=2, value=7)')).toEqual([[6]]); // named parameters are placed by name
  });

  it('isfuzzy union skips a table that does not exist; with none left the unresolved name is refused with the reason', () => {
    // The binder's result type still lists TimeGenerated (dynamic) from the missing leg; the engine keeps its columns.
    const r = executeKql('union isfuzzy=true (NoSuchTable | where TimeGenerated > ago(1d)), (print x = 1)');
    expect(r.columns.map((c) => c.name)).toEqual(['TimeGenerated', 'x']);
    expect(r.rows).toEqual([[null, 1]]);
    expect(() => executeKql('union isfuzzy=true (NoSuchTable | where TimeGenerated > ago(1d))')).toThrow(/reference to TimeGenerated, a column of a table whose schema is unknown here/);
  });
});

describe('parse_url and nested dynamic literals', () => {
  it('parse_url of text that is not an absolute URL gives every part empty (Kusto-Query-Language#112), not an error', () => {
    expect(one('print a = parse_url(""), b = tostring(parse_url("mailto:John.Doe@example.com").Host)')).toEqual([
      { Scheme: '', Host: '', Port: '', Path: '', Username: '', Password: '', 'Query Parameters': {}, Fragment: '' }, '',
    ]);
  });

  it('a dynamic literal may nest dynamic(...) values; parentheses inside strings are kept', () => {
    expect(one("print d = dynamic({'a': dynamic([1,2]), 'b': 'x(y)'})")![0]).toEqual({ a: [1, 2], b: 'x(y)' });
  });
});

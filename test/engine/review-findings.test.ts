/**
 * Silent wrong answers a review of the engine found (issue #4, stop 11), one repro each. Expected values follow the
 * Kusto documentation of each construct; the comments say which page.
 */
import { describe, expect, it } from 'vitest';
import { EngineError, executeKql, MissingInputError } from '../../src/engine/index.ts';

const rows = (q: string) => executeKql(q, { now: '2024-05-01T12:00:00Z' }).rows;
const column = (q: string, i: number) => rows(q).map((r) => r[i]);

describe('functions calling functions (a tabular function compiled from its expansion)', () => {
  it('a scalar function called from a tabular function reads its own literals', () => {
    expect(rows('let h=(x:long){ iff(x>5, x, long(null)) }; let g=(){ print y=h(1) }; g()')).toEqual([[null]]);
    expect(rows('let h=(x:long){ x + 0x10 }; let g=(){ print y=h(1) }; g()')).toEqual([[17]]);
    expect(rows('let h=(x:long){ x + 0x10 }; let g=view(){ print y=h(2) }; g')).toEqual([[18]]);
  });

  it('an unsupported construct inside a function body is reported at the call, a position of the query', () => {
    expect(() => rows('let g=(){ print y=1 | extend z = url_encode("a b") };\nprint a=1\n| union (g())')).toThrow(/url_encode\(\) at 3:10/);
  });

  it('a scalar over aggregates keeps its aggregates apart from a function expansion with the same positions', () => {
    // Both bodies put an expression at the same offset of their own expansion text.
    expect(rows('let T = datatable(a:long)[1,2,3]; let f=(){ print x =         abs(-5) }; let g=(){ T | summarize c = count() + toscalar(f()) }; g()')).toEqual([[8]]);
  });

  it('toscalar in a function body is evaluated per call with that call\'s arguments', () => {
    expect(rows('let f=(n:long){ toscalar(range x from 1 to n step 1 | count) }; print a=f(2), b=f(5)')).toEqual([[2, 5]]);
  });

  it('a subquery reading a parameter bound to the row is refused (Kusto runs it per row; the engine runs a subquery once)', () => {
    expect(() => rows('let f=(n:long){ toscalar(range x from 1 to n step 1 | count) }; range y from 1 to 3 step 1 | extend c = f(y)')).toThrow(/parameter n inside a subquery/);
    // A row-bound parameter outside a subquery, and a constant one inside, are fine.
    expect(column('let f=(n:long){ n * 2 }; range y from 1 to 3 step 1 | extend c = f(y)', 1)).toEqual([2, 4, 6]);
    expect(column('let f=(n:long){ toscalar(range x from 1 to n step 1 | count) }; range y from 1 to 2 step 1 | extend c = f(3)', 1)).toEqual([3, 3]);
  });
});

describe('row_number and row_cumsum belong to the row, however often the expression is evaluated', () => {
  // Window functions page: the value is the row's position in the serialized row set.
  it('inside iff only some rows read it; the others still count', () => {
    expect(column('range x from 1 to 5 step 1 | extend r = iff(x % 2 == 0, row_number(), -1)', 1)).toEqual([-1, 2, -1, 4, -1]);
  });

  it('behind a short-circuiting and', () => {
    expect(column('range x from 1 to 6 step 1 | where x > 3 and row_number() <= 5', 0)).toEqual([4, 5]);
  });

  it('read twice by a function that uses its parameter twice', () => {
    expect(column('let f=(v:long){ v*10+v }; range x from 1 to 3 step 1 | extend r = f(row_number())', 1)).toEqual([11, 22, 33]);
  });

  it('restarts and running sums over rows the expression skipped', () => {
    const out = rows('range x from 1 to 6 step 1 | extend r = iff(x > 2, row_cumsum(x, x == 4), -1), n = row_number(10, x == 5)');
    expect(out.map((r) => r[1])).toEqual([-1, -1, 6, 4, 9, 15]);
    expect(out.map((r) => r[2])).toEqual([10, 11, 12, 13, 10, 11]);
  });
});

describe('summarize and union', () => {
  it('arg_max with an expression as output evaluates it on the kept row', () => {
    expect(rows(`datatable(x:long, s:string)[1,'{"a":1}',2,'{"a":2}'] | summarize arg_max(x, todynamic(s))`)).toEqual([[2, { a: 2 }]]);
  });

  it('union withsource= a name a leg also has: the source column is the first, the leg\'s column keeps its values', () => {
    const out = executeKql('union withsource=k (print k=1), (print k=2)');
    expect(out.columns.map((c) => c.type)).toEqual(['string', 'long']);
    expect(out.rows.map((r) => r[1])).toEqual([1, 2]);
  });
});

describe('dynamic member access', () => {
  it('b.[k] selects the member named by the value of k', () => {
    expect(column('print b = dynamic({"a":{"c":5},"b":2}) | extend k = "a" | extend v = b.[k].c, w = b.["b"]', 2)).toEqual([5]);
    expect(column('datatable(k:string)["a","b","z"] | extend v = dynamic({"a":1,"b":2}).[k]', 1)).toEqual([1, 2, null]);
  });
});

describe('second review: datetimes, timespans and numbers the engine holds as doubles', () => {
  it('bin() of a datetime counts multiples from 0001-01-01 (a Monday), so 7d bins start on Mondays', () => {
    // bin page: "an integer multiple of a given bin size"; datetime page: ticks count from 0001-01-01.
    expect(rows('print a=bin(datetime(2024-01-10), 7d), b=bin(datetime(1970-01-10), 7d), c=floor(datetime(2024-01-10 05:17), 90m)')).toEqual([['2024-01-08T00:00:00Z', '1970-01-05T00:00:00Z', '2024-01-10T04:30:00Z']]);
    expect(rows('print bin(datetime(2024-01-10), 7d) == bin_at(datetime(2024-01-10), 7d, datetime(0001-01-01))')).toEqual([[true]]);
    expect(column('datatable(t:datetime)[datetime(2024-01-07), datetime(2024-01-08), datetime(2024-01-14)] | summarize c = count() by w = bin(t, 7d)', 1)).toEqual([1, 2]);
  });

  it('timespans and datetimes computed with a division, a real or avg() hold whole ticks', () => {
    expect(rows('print a=1h/7, b=tostring(1h/7), c=1tick*0.5 == 0s, d=datetime(2024-01-01) + 1h/7, e=1h/0')).toEqual([['00:08:34.2857143', '00:08:34.2857143', false, '2024-01-01T00:08:34.2857143Z', null]]);
    expect(rows('datatable(t:timespan)[1s,2s,2s] | summarize a=avg(t)')).toEqual([['00:00:01.6666667']]);
    expect(rows('datatable(t:datetime)[datetime(2024-01-01), datetime(2024-01-03)] | summarize avg(t)')).toEqual([['2024-01-02T00:00:00Z']]);
  });

  it('endof*() outside 1991–2048 is refused: the last tick of the period would round up to the next period', () => {
    expect(() => rows('print endofday(datetime(2060-03-04 10:00))')).toThrow(/endofday\(\): the last tick before 2060-03-05T00:00:00Z is outside/);
    expect(() => rows('print endofmonth(datetime(1960-03-04))')).toThrow(/endofmonth\(\).*1960-04-01/);
    expect(() => rows('print endofweek(datetime(2024-05-01), 2000)')).toThrow(/endofweek\(\)/);
    expect(rows('print a=endofday(datetime(2030-03-04)), b=endofyear(datetime(2047-03-04)), c=endofmonth(datetime(1992-02-10))')).toEqual([['2030-03-04T23:59:59.9999999Z', '2047-12-31T23:59:59.9999999Z', '1992-02-29T23:59:59.9999999Z']]);
  });

  it('the last instant Kusto holds prints as itself, not as year 10000', () => {
    expect(rows('print a=datetime(9999-12-31 23:59:59.9999999), b=endofyear(datetime(9999-05-01))')).toEqual([['9999-12-31T23:59:59.9999999Z', '9999-12-31T23:59:59.9999999Z']]);
  });

  it('values a double cannot hold exactly are refused rather than rounded: long literals past 2^53, decimal arithmetic', () => {
    expect(() => rows('print 9007199254740993')).toThrow(/long literal 9007199254740993/);
    expect(rows('print unixtime_nanoseconds_todatetime(1546300800000000000)')).toEqual([['2019-01-01T00:00:00Z']]);
    expect(() => rows('print decimal(0.1) + decimal(0.2)')).toThrow(/decimal arithmetic/);
    expect(() => rows('datatable(d:decimal)[decimal(0.1)] | summarize sum(d)')).toThrow(/sum\(\) of decimals/);
    expect(() => rows('print decimal(12345678901234567890.5)')).toThrow(/more than 15 significant digits/);
    expect(rows('print todecimal("123.45678") == decimal(123.45678)')).toEqual([[true]]);
  });
});

describe('third review: operators on detection-shaped data', () => {
  it('mv-expand of an unnamed expression expands into the column the binder names (todynamic(s) into s)', () => {
    // mv-expand page: "Each element in the (scalar) array or property bag generates a new record".
    expect(rows(`datatable(s:string)['[1,2,"x"]'] | mv-expand todynamic(s)`)).toEqual([[1], [2], ['x']]);
    expect(rows(`datatable(Recipients:string)['["a@x.com","b@y.com"]'] | mv-expand todynamic(Recipients) | where tostring(Recipients) == "a@x.com" | count`)).toEqual([[1]]);
    expect(rows(`print d = dynamic({"a":[1,2]}) | mv-expand d.a`)).toEqual([[{ a: [1, 2] }, 1], [{ a: [1, 2] }, 2]]);
  });

  it('a capture group the pattern does not have is an error, not an exception from the regex library', () => {
    expect(() => rows(String.raw`print extract(@"(\d+)", 5, "a12")`)).toThrow(/capture group 5 does not exist/);
    expect(() => rows(String.raw`print extract_all(@"(?P<x>\d)", dynamic(["y"]), "a1b2")`)).toThrow(/capture group 'y' is not a named group/);
    expect(rows(String.raw`print extract_all(@"(?P<x>\d)(\w)", dynamic(["x", 2]), "a1b2c")`)).toEqual([[[['1', 'b'], ['2', 'c']]]]);
  });

  it('range() stops at 2^20 elements, as its page shows', () => {
    expect(rows('print r = range(1,1000000000) | mv-expand r | count')).toEqual([[1048576]]);
  });

  it('in/!in compare like ==: a null finding a null is null, so where drops the row', () => {
    expect(rows('print int(null) in (int(null)), int(null) !in (int(null)), int(null) in (1), int(null) !in (1)')).toEqual([[null, null, false, true]]);
    expect(rows('let t = datatable(x:int)[1,int(null)]; datatable(y:int)[1,2,int(null)] | where y in (t)')).toEqual([[1]]);
  });
});

describe('acceptance review (issue #4): no silent truncation, positions on regex errors, typed missing inputs', () => {
  it('range beyond the engine\'s row limit is refused, not cut short', () => {
    expect(() => rows('range i from 1 to 100000000 step 1 | count')).toThrow(/range of 100,000,000 rows: the local engine runs at most 10,000,000 at 1:1/);
    expect(rows('range i from 10 to 1 step -3')).toEqual([[10], [7], [4], [1]]);
  });

  it('a constant pattern RE2 rejects is an error at its position, even when no row is evaluated', () => {
    expect(() => rows('print x="abc" | where x matches regex "(?=a)"')).toThrow(/invalid regular expression "\(\?=a\)".* at 1:39$/);
    expect(() => rows('datatable(x:string)[] | extend y = extract("(a", 1, x)')).toThrow(/invalid regular expression "\(a".* at 1:44$/);
    expect(() => rows('print trim("(", "abc")')).toThrow(/ at 1:12$/);
    expect(() => rows('print countof("aXa", "(", "regex")')).toThrow(/ at 1:22$/);
    expect(rows('print countof("a(a", "(", "normal")')).toEqual([[1]]);
  });

  it('a regex function\'s run-time error carries the call\'s position', () => {
    expect(() => rows('print extract("(a)", 2, "abc")')).toThrow(/capture group 2 does not exist .* at 1:7$/);
  });

  it('a missing input says which one, so each caller can say how to give it', () => {
    const missing = (q: string) => {
      try {
        rows(q);
      } catch (err) {
        expect(err).toBeInstanceOf(EngineError);
        return err instanceof MissingInputError ? err.input : null;
      }
      return undefined;
    };
    expect(missing('externaldata(D:string)[@"https://x.example/a.txt"] | count')).toEqual({ kind: 'externaldata', name: 'https://x.example/a.txt' });
    expect(missing('print g = geo_info_from_ip_address("8.8.8.8")')).toEqual({ kind: 'geo', name: 'geo_info_from_ip_address' });
    expect(missing('DeviceFileEvents | invoke FileProfile()')).toEqual({ kind: 'table', name: 'FileProfile' });
    expect(missing('print x = 1 | where x matches regex "("')).toBeNull();
  });
});

describe('second acceptance review: large inputs', () => {
  it('an externaldata list of 200,000 rows is read whole (no argument spread per row)', () => {
    const list = { columns: [{ name: 'Domain', type: 'string' as const }], rows: Array.from({ length: 200_000 }, (_, i) => [`d${i}.com`]) };
    const q = 'externaldata(Domain: string)[@"https://x.example/l.txt"] with (format="txt") | summarize n = count(), top_domain = max(Domain)';
    expect(executeKql(q, { now: '2024-05-01T12:00:00Z', externaldata: { 'https://x.example/l.txt': list } }).rows).toEqual([[200_000, 'd99999.com']]);
  });

  it('make_bag keeps the first value per key, honours the limit, and a key named __proto__ is a key', () => {
    expect(rows('datatable(b:dynamic)[dynamic({"__proto__":1,"a":2}), dynamic({"a":3,"c":4})] | summarize m = make_bag(b)')).toEqual([[{ ['__proto__']: 1, a: 2, c: 4 }]]);
    expect(rows('datatable(b:dynamic)[dynamic({"a":1,"b":2}), dynamic({"c":3})] | summarize m = make_bag(b, 2)')).toEqual([[{ a: 1, b: 2 }]]);
    expect(rows('range x from 1 to 50000 step 1 | summarize m = make_bag(bag_pack(tostring(x), x)) | project n = array_length(bag_keys(m))')).toEqual([[50_000]]);
  });
});

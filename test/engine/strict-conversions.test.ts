// Text converts to a datetime, timespan, guid or number only when it is a valid value of the type: Kusto gives null
// (todatetime, parse captures) where JavaScript's Date and Number would roll over or guess.
import { describe, expect, it } from 'vitest';
import { executeKql } from '../../src/engine/index.ts';

const rows = (q: string) => executeKql(q, { now: '2024-05-01T12:00:00Z' }).rows;
const one = (q: string) => rows(q)[0];

describe('datetime text names a calendar date that exists', () => {
  it('todatetime of a day, month, hour, minute or second out of range is null, not rolled over', () => {
    expect(one('print a = todatetime("2021-02-30"), b = todatetime("2021-04-31"), c = todatetime("2021-13-01"), d = todatetime("2100-02-29")')).toEqual([null, null, null, null]);
    expect(one('print a = todatetime("2021-01-01 24:00"), b = todatetime("2021-01-01 23:60"), c = todatetime("2021-01-01 23:59:60"), d = todatetime("0000-01-01")')).toEqual([null, null, null, null]);
    expect(one('print a = todatetime("2020-02-29"), b = todatetime("2000-02-29 23:59:59"), c = todatetime("2021-12-31T00:00:00Z")')).toEqual(['2020-02-29T00:00:00Z', '2000-02-29T23:59:59Z', '2021-12-31T00:00:00Z']);
  });

  it('the RFC and month-first forms are validated too, and text that is no documented form is null', () => {
    expect(one('print a = todatetime("30 Feb 21 10:00"), b = todatetime("2/30/2021"), c = todatetime("1"), d = todatetime("hello 12")')).toEqual([null, null, null, null]);
    expect(one('print a = todatetime("29 Feb 20 10:00 GMT"), b = todatetime("02/17/2016 08:40:01")')).toEqual(['2020-02-29T10:00:00Z', '2016-02-17T08:40:01Z']);
  });

  it('a datetime literal of a date that does not exist is refused, and make_datetime of one is null', () => {
    expect(() => rows('print d = datetime(2021-02-30)')).toThrow(/datetime literal datetime\(2021-02-30\) is not a valid date and time .* at 1:11/);
    expect(one('print a = make_datetime(2021, 2, 30), b = make_datetime(2020, 2, 29)')).toEqual([null, '2020-02-29T00:00:00Z']);
    // Years below 100 stay as given (Date.UTC would read 50 as 1950).
    expect(one('print a = make_datetime(50, 1, 2), b = make_datetime(0, 1, 1)')).toEqual(['0050-01-02T00:00:00Z', null]);
  });

  it('timespan text with minutes or seconds past 59 is null', () => {
    expect(one('print a = totimespan("00:75:00"), b = totimespan("00:00:60"), c = totimespan("1.02:03:04")')).toEqual([null, null, '1.02:03:04']);
  });
});

describe('parse captures must be values of their declared type', () => {
  it('a guid capture accepts only 32 hex digits', () => {
    expect(rows('datatable(s:string)["id=abc;x", "id=74BE27DE-1e4e-49d9-b579-fe0b331d3642;x"] | parse s with "id=" v:guid ";" rest | project v, rest')).toEqual([
      [null, ''],
      ['74be27de-1e4e-49d9-b579-fe0b331d3642', 'x'],
    ]);
  });

  it('int, real, datetime and timespan captures that are not values of the type fail the simple match', () => {
    expect(one('print s="id=abc" | parse s with "id=" v:int | project v')).toEqual([null]);
    expect(one('print s="n=3000000000;x" | parse s with "n=" v:int ";" rest | project v, rest')).toEqual([null, '']);
    expect(one('print s="n=3000000000;x" | parse s with "n=" v:long ";" rest | project v, rest')).toEqual([3000000000, 'x']);
    expect(one('print s="x=0x1A;y" | parse s with "x=" v:real ";" rest | project v, rest')).toEqual([null, '']);
    expect(one('print s="d=2021-02-30;y" | parse s with "d=" v:datetime ";" rest | project v, rest')).toEqual([null, '']);
    expect(one('print s="t=00:75:00;y" | parse s with "t=" v:timespan ";" rest | project v, rest')).toEqual([null, '']);
  });

  it('relaxed nulls only the capture that is not a value of its type', () => {
    expect(one('print s="d=hello 12;g=xyz;n=5" | parse kind=relaxed s with "d=" d:datetime ";g=" g:guid ";n=" n:long | project d, g, n')).toEqual([null, null, 5]);
  });
});

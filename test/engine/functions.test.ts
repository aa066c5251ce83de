import { describe, expect, it } from 'vitest';
import { compileQuery, executeKql } from '../../src/engine/index.ts';

const GEO = {
  columns: [{ name: 'network', type: 'string' as const }, { name: 'country', type: 'string' as const }, { name: 'city', type: 'string' as const }, { name: 'latitude', type: 'real' as const }],
  rows: [['20.53.0.0/16', 'Australia', 'Sydney', -33.8715], ['20.53.203.50', 'Australia', 'Exact', 1]],
};

describe('range() and geo_info_from_ip_address()', () => {
  it('range() includes the stop, steps down with a negative step, and steps datetimes by a timespan', () => {
    const r = executeKql('print a = range(1, 8, 3), b = range(10, 1, -4), c = range(datetime(2024-01-01), datetime(2024-01-03), 1d)');
    expect(r.rows[0]).toEqual([[1, 4, 7], [10, 6, 2], ['2024-01-01T00:00:00Z', '2024-01-02T00:00:00Z', '2024-01-03T00:00:00Z']]);
  });

  it('geo_info_from_ip_address() answers from the fixture table, most specific network first, null when unknown', () => {
    const r = executeKql("print a = geo_info_from_ip_address('20.53.1.1'), b = geo_info_from_ip_address('20.53.203.50').city, c = geo_info_from_ip_address('1.1.1.1')", { tables: { geo_info_from_ip_address: GEO } });
    expect(r.rows[0]).toEqual([{ country: 'Australia', city: 'Sydney', latitude: -33.8715 }, 'Exact', null]);
  });

  it('geo_info_from_ip_address() without the fixture table says which table to supply', () => {
    expect(() => executeKql("print geo_info_from_ip_address('20.53.1.1')")).toThrow(/fixture table named 'geo_info_from_ip_address'/);
  });
});

describe('invoke served from a fixture table', () => {
  const FILE_PROFILE = { columns: [{ name: 'SHA1', type: 'string' as const }, { name: 'GlobalPrevalence', type: 'long' as const }, { name: 'Signer', type: 'string' as const }], rows: [['abc', 3, 'Contoso']] };
  const FILES = { columns: [{ name: 'SHA1', type: 'string' as const }, { name: 'FileName', type: 'string' as const }], rows: [['abc', 'a.exe'], ['zzz', 'b.exe']] };

  it('enriches every input row left-outer on the key column, with typed nulls when the fixture has no row', () => {
    // On Defender FileProfile() is the built-in with its documented columns (GlobalPrevalence is an int there).
    const r = executeKql('DeviceFileEvents | invoke FileProfile() | project FileName, GlobalPrevalence, Signer, ThreatName', { tables: { DeviceFileEvents: FILES, FileProfile: FILE_PROFILE } });
    expect(r.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['FileName:string', 'GlobalPrevalence:int', 'Signer:string', 'ThreatName:string']);
    expect(r.rows).toEqual([['a.exe', 3, 'Contoso', ''], ['b.exe', null, '', '']]);
  });

  it('takes the key as a bare column, as Defender documents it, and matches InitiatingProcessSHA256 to the profile SHA256', () => {
    const r = executeKql('DeviceFileEvents | invoke FileProfile(SHA1, 1000) | where GlobalPrevalence < 5 | project FileName, Signer', { tables: { DeviceFileEvents: FILES, FileProfile: FILE_PROFILE } });
    expect(r.rows).toEqual([['a.exe', 'Contoso']]);
    const processes = { columns: [{ name: 'InitiatingProcessSHA256', type: 'string' as const }, { name: 'FileName', type: 'string' as const }], rows: [['f00d', 'x.exe']] };
    const profile = { columns: [{ name: 'SHA256', type: 'string' as const }, { name: 'Signer', type: 'string' as const }], rows: [['f00d', 'Fabrikam']] };
    const p = executeKql('DeviceProcessEvents | invoke FileProfile(InitiatingProcessSHA256) | project FileName, Signer', { tables: { DeviceProcessEvents: processes, FileProfile: profile } });
    expect(p.rows).toEqual([['x.exe', 'Fabrikam']]);
  });

  it('a key that is not a column of the input is a KQL error naming the accepted ones', () => {
    expect(() => executeKql('DeviceFileEvents | invoke FileProfile(Sha, 1000)', { tables: { DeviceFileEvents: FILES, FileProfile: FILE_PROFILE } })).toThrow(/FileProfile\(\): 'Sha' is not a column of its input; give the file id column \(SHA1, SHA256/);
  });

  it('takes the key column as a string argument and binds later operators against the fixture columns', () => {
    const r = executeKql("DeviceFileEvents | invoke FileProfile('SHA1', 1000) | where GlobalPrevalence < 5 | project FileName", { tables: { DeviceFileEvents: FILES, FileProfile: FILE_PROFILE } });
    expect(r.rows).toEqual([['a.exe']]);
  });
});

describe('matches regex keeps Kusto semantics on the fast path', () => {
  it('$ does not match before a trailing newline, \\s is Unicode White_Space (regex page), (?i) works, lookarounds fail', () => {
    const r = executeKql('print a = "/x/b.exe" matches regex @"\\.(?:dll|exe)$", b = "/x/b.exe\\n" matches regex @"\\.(?:dll|exe)$", c = "\\u00a0" matches regex @"\\s", d = "ABC" matches regex "(?i)b"');
    expect(r.rows[0]).toEqual([true, false, true, true]);
    expect(() => executeKql('print "ab" matches regex "a(?=b)"')).toThrow(/RE2/);
  });
});

describe('math functions', () => {
  it('abs, round (half away from zero, to digits), pow, log10, sqrt; null in gives null out', () => {
    const r = executeKql('print a = abs(-3), b = round(2.5), c = round(-2.5), d = round(1.2345, 2), e = pow(2, 10), f = log10(1000), g = sqrt(16.0), h = abs(long(null))');
    expect(r.rows[0]).toEqual([3, 3, -3, 1.23, 1024, 3, 4, null]);
  });
});

describe('extend chains', () => {
  it('a second extend grows the first one\'s rows without touching the base table or earlier trace samples', () => {
    const T = { columns: [{ name: 'a', type: 'long' as const }], rows: [[1], [2]] };
    const q = compileQuery('T | extend b = a * 2 | extend c = b + 1', { platform: 'defender', extraTables: { T: T.columns } });
    const r = q.run({ now: '2024-01-01T00:00:00Z', tables: { T }, trace: true });
    expect(r.rows).toEqual([[1, 2, 3], [2, 4, 5]]);
    expect(T.rows).toEqual([[1], [2]]);
    expect(r.trace!.find((t) => t.operator.startsWith('extend b'))!.sample).toEqual([[1, 2], [2, 4]]);
    expect(q.run({ now: '2024-01-01T00:00:00Z', tables: { T } }).rows).toEqual([[1, 2, 3], [2, 4, 5]]);
  });
});

describe('lookup', () => {
  const L = 'datatable(a:long, s:string)[1,"x",2,"y",3,"z"]';
  const R = 'datatable(a:long, b:string)[1,"one",2,"two"]';
  it('defaults to leftouter, drops the right key column, and keeps unmatched rows with typed nulls', () => {
    const r = executeKql(`${L} | lookup (${R}) on a`);
    expect(r.columns.map((c) => c.name)).toEqual(['a', 's', 'b']);
    expect(r.rows).toEqual([[1, 'x', 'one'], [2, 'y', 'two'], [3, 'z', '']]);
  });
  it('kind=inner keeps matched rows only; $left/$right keys work', () => {
    expect(executeKql(`${L} | lookup kind=inner (${R}) on a`).rows).toEqual([[1, 'x', 'one'], [2, 'y', 'two']]);
    expect(executeKql(`${L} | lookup (datatable(k:long, b:string)[3,"three"]) on $left.a == $right.k`).rows).toEqual([[1, 'x', ''], [2, 'y', ''], [3, 'z', 'three']]);
  });
  it('refuses a non-key column clash loudly instead of guessing', () => {
    expect(() => executeKql(`${L} | lookup (datatable(a:long, s:string)[1,"one"]) on a`)).toThrow(/not supported by the local engine: lookup output column s1/);
  });
});

describe('parse (simple kind)', () => {
  it('captures typed columns between literals, skips with *, and leaves empty/null columns when the text does not match', () => {
    const r = executeKql('datatable(s:string)["user=bob id=42 ok", "nothing"] | parse s with "user=" user " id=" id:long " " rest');
    expect(r.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['s:string', 'user:string', 'id:long', 'rest:string']);
    expect(r.rows).toEqual([['user=bob id=42 ok', 'bob', 42, 'ok'], ['nothing', '', null, '']]);
    expect(executeKql('datatable(s:string)["a: 1, b: x"] | parse s with * "b: " b').rows).toEqual([['a: 1, b: x', 'x']]);
  });
  it('refuses kind=regex loudly', () => {
    expect(() => executeKql('datatable(s:string)["a"] | parse kind=regex s with "(.*)" x')).toThrow(/not supported by the local engine: parse kind=regex/);
  });
});

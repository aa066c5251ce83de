// Bound code is shared per (global state, query text): each stage that binds the same query on the same tables
// gets the same KustoCode, and a different set of tables never gets another's binding.
import { describe, expect, it } from 'vitest';
import { analyzeKql } from '../../src/kql/analyzer.ts';
import { compileQuery } from '../../src/engine/index.ts';

describe('bound code cache', () => {
  const query = 'DeviceNetworkEvents | where ActionType == "SshConnectionInspected" | project Timestamp, RemoteIP';

  it('binds a query once per platform and shares the result', () => {
    const first = analyzeKql(query, 'defender');
    expect(analyzeKql(query, 'defender').code).toBe(first.code);
    expect(analyzeKql(query, 'sentinel').code).not.toBe(first.code);
    expect(first.resultColumns).toEqual([{ name: 'Timestamp', type: 'datetime' }, { name: 'RemoteIP', type: 'string' }]);
  });

  it('binds again when a fixture table has other columns, so types follow the table given', () => {
    const q = 'Lookup | project b = a';
    const asLong = compileQuery(q, { platform: 'defender', extraTables: { Lookup: [{ name: 'a', type: 'long' }] } });
    const asText = compileQuery(q, { platform: 'defender', extraTables: { Lookup: [{ name: 'a', type: 'string' }] } });
    expect(asLong.columns).toEqual([{ name: 'b', type: 'long' }]);
    expect(asText.columns).toEqual([{ name: 'b', type: 'string' }]);
  });

  it('keeps a query that does not bind an error on every call', () => {
    expect(analyzeKql('DeviceNetworkEvents | where NoSuchColumn == 1', 'defender').diagnostics.some((d) => d.severity === 'error')).toBe(true);
    expect(() => compileQuery('DeviceNetworkEvents | where NoSuchColumn == 1', { platform: 'defender' })).toThrow(/NoSuchColumn/);
    expect(() => compileQuery('DeviceNetworkEvents | where NoSuchColumn == 1', { platform: 'defender' })).toThrow(/NoSuchColumn/);
  });
});

/**
 * Conformance suite: every case in test/engine/conformance/cases/*.yaml (worked examples from the Kusto docs)
 * runs through executeKql and must give the documented result or error. Cases parked in cases/disputed/ (the
 * docs and Kusto.Language disagree, see docs/conformance.md) are not executed.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { executeKql } from '../../src/engine/index.ts';
import { compareResult, valuesEqual, type Expected } from './conformance/compare.ts';

interface Case {
  name: string;
  source?: string;
  now?: string;
  platform?: 'defender' | 'sentinel';
  query: string;
  expected?: Expected;
  expectError?: string;
}

const casesDir = join(import.meta.dirname, 'conformance', 'cases');
const files = existsSync(casesDir) ? readdirSync(casesDir).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('disputed')).sort() : [];

for (const file of files) {
  const cases = (parse(readFileSync(join(casesDir, file), 'utf8')) ?? []) as Case[];
  describe(file, () => {
    for (const c of cases) {
      it(c.name, () => {
        const run = () => executeKql(c.query, { ...(c.now ? { now: String(c.now) } : {}), ...(c.platform ? { platform: c.platform } : {}) });
        if (c.expectError !== undefined) {
          expect(run).toThrow(c.expectError);
          return;
        }
        expect(c.expected, 'case has neither expected nor expectError').toBeDefined();
        expect(compareResult(c.expected!, run())).toBeNull();
      });
    }
  });
}

describe('conformance comparison', () => {
  it('compares reals to 1e-9 relative and datetimes as instants', () => {
    expect(valuesEqual(0.1 + 0.2, 0.3)).toBe(true);
    expect(valuesEqual(1.0, 1.001)).toBe(false);
    expect(valuesEqual('2024-01-01T00:00:00Z', '2024-01-01T00:00:00.0000000Z')).toBe(true);
    expect(valuesEqual('2024-01-01 00:00:00.1', '2024-01-01T00:00:00.1000000Z')).toBe(true);
    expect(valuesEqual('2024-01-01T00:00:00.0000001Z', '2024-01-01T00:00:00Z')).toBe(false);
    expect(valuesEqual('abc', 'ABC')).toBe(false);
  });

  it('checks column names, types, row order and multisets', () => {
    const actual = { columns: [{ name: 'a', type: 'long' }], rows: [[1], [2]] };
    expect(compareResult({ columns: [{ name: 'a', type: 'long' }], rows: [[1], [2]] }, actual)).toBeNull();
    expect(compareResult({ columns: [{ name: 'a', type: 'int' }], rows: [[1], [2]] }, actual)).toMatch(/type int/);
    expect(compareResult({ rows: [[2], [1]] }, actual)).toMatch(/row 0/);
    expect(compareResult({ rows: [[2], [1]], ordered: false }, actual)).toBeNull();
    expect(compareResult({ rows: [[2], [2]], ordered: false }, actual)).toMatch(/not found/);
    expect(compareResult({ rows: [[{ k: [1, 2] }]] }, { columns: [{ name: 'd', type: 'dynamic' }], rows: [[{ k: [1, 2] }]] })).toBeNull();
  });
});

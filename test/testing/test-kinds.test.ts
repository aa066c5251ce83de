import { describe, expect, it } from 'vitest';
import type { DetectionTest } from '../../src/detection/types.ts';
import { missingTestKinds } from '../../src/testing/test-kinds.ts';

const t = (expect: DetectionTest['expect']) => ({ name: 'x', now: '2026-01-01T00:00:00Z', expect }) as DetectionTest;

describe('a firing test and a quiet test', () => {
  it('count > 0, contains or rows fire; count: 0 or rows: [] stay quiet', () => {
    expect(missingTestKinds([t({ count: 2 }), t({ count: 0 })])).toEqual([]);
    expect(missingTestKinds([t({ contains: [{ a: 1 }] }), t({ rows: [] })])).toEqual([]);
  });

  it('an excludes-only test proves neither: the query may return nothing or everything else', () => {
    expect(missingTestKinds([t({ excludes: [{ a: 1 }] })])).toEqual(['firing', 'quiet']);
    expect(missingTestKinds([t({ excludes: [{ a: 1 }] }), t({ count: 0 })])).toEqual(['firing']);
    expect(missingTestKinds([])).toEqual(['firing', 'quiet']);
  });
});

describe('expectations that assert nothing are rejected by the schema', () => {
  it('contains: [] and excludes: [] are errors at their path', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadLibrary } = await import('../../src/detection/library.ts');
    const { VALID_DETECTION } = await import('../validate/helpers.ts');
    const dir = mkdtempSync(join(tmpdir(), 'dac-kinds-'));
    writeFileSync(join(dir, 'd.yaml'), `${VALID_DETECTION}tests:\n  - name: empty\n    now: 2026-01-01T12:00:00Z\n    expect: {contains: [], excludes: []}\n`);
    const paths = loadLibrary([join(dir, 'd.yaml')]).diagnostics.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/tests/0/expect/contains', '/tests/0/expect/excludes']));
  });
});

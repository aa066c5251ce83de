// Every detection's own tests, one vitest case per detection × test × platform, so `npm test` runs them.
import { describe, expect, it } from 'vitest';
import { loadLibrary } from '../../src/detection/library.ts';
import { repoPath } from '../../src/paths.ts';
import { runDetectionTests } from '../../src/testing/run-tests.ts';
import { missingTestKinds } from '../../src/testing/test-kinds.ts';
import { formatFailure } from '../../src/cli/test-output.ts';

const library = loadLibrary([repoPath('detections')]);

describe('the detection library', () => {
  it('loads without errors and every detection has a firing and a quiet test', () => {
    expect(library.diagnostics).toEqual([]);
    for (const { detection, file } of library.detections) {
      expect(missingTestKinds(detection.tests ?? []), `${file}: a test that must fire and one that must not`).toEqual([]);
    }
  });
});

for (const loaded of library.detections) {
  describe(loaded.detection.name, () => {
    const results = runDetectionTests([loaded]);
    for (const r of results) {
      it(`${r.test} [${r.platform}]`, () => {
        expect(r.status, formatFailure(r)).toBe('passed');
      });
    }
  });
}

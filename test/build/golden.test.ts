import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLibrary } from '../../src/build/index.ts';
import { repoPath } from '../../src/paths.ts';
import { byName } from './helpers.ts';

// Reviewed artifacts for representative detections. After an intended change to templates or translation,
// regenerate with `UPDATE_GOLDEN=1 npx vitest run test/build/golden.test.ts` and review the diff.
const GOLDEN = repoPath('test/golden');
const CASES = [
  'SSH brute force from a device', // both platforms, sub-technique, suppression, custom details
  'CVE exploit signature against a device vulnerable to that CVE', // Defender only, automated action
  'Network connection to a threat-intelligence IP', // Sentinel only, alert details override, TI table
  'Internal ping sweep', // Timestamp rewritten to TimeGenerated in the Sentinel query
];

describe('golden artifacts', () => {
  for (const name of CASES) {
    it(name, () => {
      const { artifacts, diagnostics } = buildLibrary([byName(name)]);
      expect(diagnostics).toEqual([]);
      for (const a of artifacts) {
        const file = join(GOLDEN, a.path);
        if (process.env.UPDATE_GOLDEN) {
          mkdirSync(join(file, '..'), { recursive: true });
          writeFileSync(file, a.content);
        }
        expect(existsSync(file), `${a.path} missing; run with UPDATE_GOLDEN=1`).toBe(true);
        expect(a.content).toBe(readFileSync(file, 'utf8'));
      }
    });
  }
});

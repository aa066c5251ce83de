import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLibrary } from '../../src/build/index.ts';
import { loadLibrary } from '../../src/detection/library.ts';
import { repoPath } from '../../src/paths.ts';

// Reviewed artifacts for three small fixture detections (test/golden/detections/, independent of the
// library): both platforms with the Sentinel time-column rewrite; Sentinel-only NRT; Defender-only
// continuous and deprecated. After an intended change to templates or translation, regenerate with
// `UPDATE_GOLDEN=1 npx vitest run test/build/golden.test.ts` and review the diff before committing.
const GOLDEN = repoPath('test/golden');
const library = loadLibrary([join(GOLDEN, 'detections')]);
const result = buildLibrary(library.detections);

describe('golden artifacts', () => {
  it('the fixtures load and build without diagnostics', () => {
    expect(library.diagnostics).toEqual([]);
    expect(result.diagnostics).toEqual([]);
    expect(result.artifacts.map((a) => a.path).sort()).toEqual([
      'defender/encoded-powershell-download-cradle.json',
      'defender/executable-written-to-a-startup-folder.json',
      'sentinel/encoded-powershell-download-cradle.json',
      'sentinel/sign-in-attempt-by-a-disabled-account.json',
    ]);
  });

  for (const artifact of result.artifacts) {
    it(artifact.path, () => {
      const file = join(GOLDEN, artifact.path);
      if (process.env.UPDATE_GOLDEN) {
        mkdirSync(join(file, '..'), { recursive: true });
        writeFileSync(file, artifact.content);
      }
      expect(existsSync(file), `${artifact.path} missing; run with UPDATE_GOLDEN=1`).toBe(true);
      expect(artifact.content).toBe(readFileSync(file, 'utf8'));
    });
  }

  it('has no golden file without a fixture that produces it', () => {
    const produced = new Set(result.artifacts.map((a) => a.path));
    for (const dir of ['sentinel', 'defender']) {
      for (const f of readdirSync(join(GOLDEN, dir))) expect(produced.has(`${dir}/${f}`), `stale golden file ${dir}/${f}`).toBe(true);
    }
  });
});

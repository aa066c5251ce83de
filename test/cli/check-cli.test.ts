import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { repoPath } from '../../src/paths.ts';
import { mutate, tempLibrary } from '../validate/helpers.ts';

async function dac(...argv: string[]) {
  let stdout = '';
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: () => {} });
  return { code, stdout };
}

describe('dac check', () => {
  it('passes on the bundled library and shows one line per stage', async () => {
    const r = await dac('check', repoPath('detections'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/validate\s+ok\s+17 files, 17 detections, 0 errors/);
    expect(r.stdout).toMatch(/test\s+ok\s+62 passed, 0 failed/);
    expect(r.stdout).toMatch(/build\s+ok\s+31 artifacts \(16 Sentinel, 15 Defender\)/);
    expect(r.stdout).toMatch(/coverage\s+ok\s+\d+ techniques covered by 17 detections/);
    expect(r.stdout).toMatch(/All stages passed/);
  });

  it('fails with the diagnostics above the summary when a detection is broken, and still runs later stages', async () => {
    const dir = tempLibrary({ 'bad.yaml': mutate('technique: T1071.001', 'technique: T1071.999') });
    const r = await dac('check', dir, '--format', 'json');
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(false);
    expect(out.stages.map((s: { stage: string; status: string }) => [s.stage, s.status])).toEqual([['validate', 'failed'], ['test', 'warnings'], ['build', 'ok'], ['coverage', 'warnings']]);
  });
});

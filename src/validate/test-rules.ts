/**
 * Rules on a detection's tests that the schema cannot express: names are unique within the detection (results and
 * CI annotations are keyed by them), and a test's `platforms` name only platforms the detection is enabled on
 * (a test on a platform the rule is never deployed to proves nothing about a deployment).
 */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { LoadedDetection } from '../detection/library.ts';
import { enabledPlatforms } from '../detection/types.ts';

export function checkTests(loaded: LoadedDetection): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (path: (string | number)[], code: string, message: string, hint: string) => {
    const pos = loaded.source.positionOf(path);
    out.push({ file: loaded.file, line: pos.line, column: pos.column, path: path.map((p) => `/${p}`).join(''), severity: 'error', code, message, hint });
  };
  const enabled = enabledPlatforms(loaded.detection);
  const seen = new Map<string, number>();
  (loaded.detection.tests ?? []).forEach((test, i) => {
    const first = seen.get(test.name);
    if (first !== undefined) report(['tests', i, 'name'], 'test/duplicate-name', `test name "${test.name}" is also used by test ${first + 1}`, 'give each test of a detection its own name');
    else seen.set(test.name, i);
    (test.platforms ?? []).forEach((p, j) => {
      if (!enabled.includes(p)) report(['tests', i, 'platforms', j], 'test/platform-disabled', `the test runs on ${p}, where this detection is not enabled`, enabled.length ? `enabled: ${enabled.join(', ')}` : 'enable the platform or drop it from the test');
    });
  });
  return out;
}

import { describe, expect, it } from 'vitest';
import { validateLibrary } from '../../src/validate/validate-library.ts';
import { only, tempLibrary, VALID_DETECTION } from './helpers.ts';

const test = (name: string, extra = '') => `  - name: ${name}\n    now: 2026-01-01T12:00:00Z\n${extra}    expect: {count: 0}\n`;

describe('test rules', () => {
  it('two tests of a detection with the same name are an error at the second', () => {
    const dir = tempLibrary({ 'd.yaml': `${VALID_DETECTION}tests:\n${test('quiet')}${test('quiet')}` });
    const d = only(validateLibrary([dir]).diagnostics, 'test/duplicate-name');
    expect([d.path, d.line, d.message]).toEqual(['/tests/1/name', 41, 'test name "quiet" is also used by test 1']);
  });

  it('a test on a platform the detection is not enabled on is an error naming the enabled ones', () => {
    const sentinelOnly = VALID_DETECTION.replace(/defender:\n  enabled: true\n[\s\S]*$/, 'defender:\n  enabled: false\n');
    const dir = tempLibrary({ 'd.yaml': `${sentinelOnly}tests:\n${test('quiet', '    platforms: [defender]\n')}` });
    const d = only(validateLibrary([dir]).diagnostics, 'test/platform-disabled');
    expect([d.path, d.message, d.hint]).toEqual(['/tests/0/platforms/0', 'the test runs on defender, where this detection is not enabled', 'enabled: sentinel']);
  });
});

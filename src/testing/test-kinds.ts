/**
 * Every detection needs a test that must fire and one that must not: a firing test alone passes for a query that
 * matches everything, a quiet one alone for a query that matches nothing.
 */
import type { DetectionTest } from '../detection/types.ts';

/** A test that passes only if the query returns at least one row. */
export const mustFire = (t: DetectionTest): boolean =>
  (t.expect.count ?? 0) > 0 || (t.expect.contains?.length ?? 0) > 0 || (t.expect.rows?.length ?? 0) > 0;

/** A test that passes only if the query returns no row. */
export const mustNotFire = (t: DetectionTest): boolean => t.expect.count === 0 || t.expect.rows?.length === 0;

/** What a detection's tests lack: 'firing', 'quiet', both or neither. */
export function missingTestKinds(tests: readonly DetectionTest[]): ('firing' | 'quiet')[] {
  return [...(tests.some(mustFire) ? [] : ['firing' as const]), ...(tests.some(mustNotFire) ? [] : ['quiet' as const])];
}

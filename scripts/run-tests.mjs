// `npm test`: runs vitest, then prints the plain "N passed, N failed" line CI reads, with vitest's exit code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const results = 'test-output/vitest-results.json';
mkdirSync('test-output', { recursive: true });
rmSync(results, { force: true });
const run = spawnSync(
  'vitest',
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { stdio: 'inherit', shell: false },
);
if (run.error) {
  console.error(`npm test: could not start vitest: ${run.error.message}`);
  process.exit(2);
}
if (!existsSync(results)) {
  console.log('0 passed, 1 failed');
  console.error('npm test: vitest wrote no results (it crashed before running tests)');
  process.exit(run.status || 1);
}
const r = JSON.parse(readFileSync(results, 'utf8'));
const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0) + (r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0);
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
console.log(`\n${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(run.status ?? 1);

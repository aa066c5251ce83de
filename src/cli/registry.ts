/**
 * Every command `dac` knows, loaded lazily so that `dac --help` and fast commands do not pay for
 * Kusto.Language or the engine. Add a command: create src/cli/commands/<name>.ts exporting `command`,
 * then list it here.
 */
import type { Command } from './command.ts';

export const COMMANDS: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  check: { summary: 'Run every stage (validate, test, build, coverage) over the library', load: () => import('./commands/check.ts') },
  apply: { summary: 'Execute the plan: create and update rules, delete managed ones only with --prune', load: () => import('./commands/apply.ts') },
  build: { summary: 'Render detections into Sentinel ARM templates and Defender Graph detectionRule bodies', load: () => import('./commands/build.ts') },
  coverage: { summary: 'Write ATT&CK coverage: Navigator layers, Markdown and an HTML matrix', load: () => import('./commands/coverage.ts') },
  import: { summary: 'Convert Azure-Sentinel analytic rule YAML into detections', load: () => import('./commands/import.ts') },
  'pr-report': { summary: 'Review of the detection changes against a git ref, as a PR comment (Markdown) or JSON', load: () => import('./commands/pr-report.ts') },
  plan: { summary: 'Compare built artifacts with the live rules of every target in an environment', load: () => import('./commands/plan.ts') },
  query: { summary: 'Run any KQL query locally on rows from files', load: () => import('./commands/query.ts') },
  test: { summary: "Run detections' tests on fixture rows in the embedded KQL engine", load: () => import('./commands/test.ts') },
  validate: { summary: 'Check detections: schema, ATT&CK ids, KQL against table schemas, platform rules', load: () => import('./commands/validate.ts') },
};

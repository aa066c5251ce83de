/**
 * The PR comment: a summary table first (what a reviewer needs at a glance), then one collapsible block
 * per changed detection with its problems, tests and artifact diffs. GitHub rejects comments over 65,536
 * characters, so diffs are cut to a per-diff budget and, as a last resort, whole blocks are dropped with
 * a note pointing at the job summary.
 */
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { ArtifactDiff, DetectionChange, PrReport, Section } from './model.ts';

export const PR_REPORT_MARKER = '<!-- kql-dac:pr-report -->';
export const GITHUB_COMMENT_LIMIT = 65_536;
/** Diff lines shown per artifact: updates matter most; a created or deleted rule is the whole file. */
const DIFF_LINE_BUDGET = { update: 120, create: 50, delete: 30, unchanged: 0 } as const;

const KIND_LABEL = { added: '🆕 added', changed: '✏️ changed', removed: '🗑️ removed', invalid: '❌ no longer loads' } as const;
const CHANGE_LABEL = { create: 'create', update: 'update', delete: 'delete (only with --prune)', unchanged: 'unchanged' } as const;

/** Markdown table cells must not break the row. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function unavailable(s: Section<unknown>): string {
  return s.available ? '' : `> ⚠️ **Unavailable:** ${cell(s.reason)}\n`;
}

function status(change: DetectionChange): string {
  const errors = change.diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = change.diagnostics.length - errors;
  const failing = change.tests.filter((t) => t.status !== 'passed').length;
  const parts: string[] = [];
  if (change.kind === 'invalid') parts.push(`❌ ${errors} error(s): fix the file, or the next build drops its rules`);
  else if (errors) parts.push(`❌ ${errors} error(s)`);
  if (warnings) parts.push(`⚠️ ${warnings} warning(s)`);
  if (change.kind === 'added' || change.kind === 'changed') {
    if (!change.tests.length) parts.push('no tests');
    else if (failing) parts.push(`❌ ${failing}/${change.tests.length} test run(s) failing`);
    else parts.push(`✅ ${change.tests.length} test run(s) pass`);
  }
  return parts.join(', ') || '✅';
}

function diagnosticLine(d: Diagnostic): string {
  return `- ${d.severity === 'error' ? '❌' : '⚠️'} \`${d.file}:${d.line}:${d.column}\` ${d.message} (\`${d.code}\`)${d.hint ? ` — ${d.hint}` : ''}`;
}

function fencedDiff(a: ArtifactDiff): string {
  const lines = a.diff.replace(/\n$/, '').split('\n');
  const budget = DIFF_LINE_BUDGET[a.change];
  const shown = lines.slice(0, budget).join('\n').replace(/```/g, '`\u200b``');
  const cut = lines.length > budget ? `\n_… ${lines.length - budget} more diff lines not shown; run \`npx dac pr-report --base <ref>\` locally or see dist/${a.path}._\n` : '';
  return `\`\`\`diff\n${shown}\n\`\`\`\n${cut}`;
}

function detectionBlock(change: DetectionChange): string {
  const out: string[] = [`<details><summary><b>${KIND_LABEL[change.kind]}</b>: ${escapeHtml(change.name)} — <code>${escapeHtml(change.file)}</code></summary>\n`];
  if (change.diagnostics.length) out.push('**Validation**\n', ...change.diagnostics.map(diagnosticLine), '');
  const failing = change.tests.filter((t) => t.status !== 'passed');
  if (failing.length) {
    out.push('**Failing tests**\n', ...failing.map((t) => `- ❌ \`${t.file}:${t.line}\` ${t.test} on ${t.platform}: ${cell(t.message)}`), '');
  }
  for (const a of change.artifacts) {
    out.push(`**${a.platform}** \`${a.path}\`: ${CHANGE_LABEL[a.change]}\n`);
    if (a.change !== 'unchanged') out.push(fencedDiff(a));
  }
  if (!change.artifacts.length && (change.kind === 'added' || change.kind === 'changed')) out.push('_No compiled artifact (the detection does not build or is enabled on no platform)._\n');
  out.push('</details>\n');
  return out.join('\n');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function summaryTable(report: PrReport): string {
  if (!report.changes.length) return '_No detection was added, changed or removed._\n';
  const rows = report.changes.map((c) => {
    const platforms = c.artifacts.map((a) => `${a.platform}: ${a.change}`).join(', ') || '—';
    return `| ${KIND_LABEL[c.kind]} | ${cell(c.name)} | \`${cell(c.file)}\` | ${cell(status(c))} | ${cell(platforms)} |`;
  });
  return ['| Change | Detection | File | Checks | Artifacts |', '|---|---|---|---|---|', ...rows, ''].join('\n');
}

const OTHER_DIAGNOSTICS_SHOWN = 30;

/** Problems not tied to a listed change: a new file that does not load is otherwise invisible in the table. */
function otherProblems(report: PrReport): string {
  const list = report.otherDiagnostics;
  if (!list.length) return '';
  const more = list.length > OTHER_DIAGNOSTICS_SHOWN ? `\n_… and ${list.length - OTHER_DIAGNOSTICS_SHOWN} more; see the validate step._\n` : '';
  return ['**Other validation problems** (files that do not load, or detections not changed by this PR):', '', ...list.slice(0, OTHER_DIAGNOSTICS_SHOWN).map(diagnosticLine), more].join('\n') + '\n';
}

function checksLine(report: PrReport): string {
  const parts: string[] = [];
  const v = report.validation;
  parts.push(v.available ? `validation: ${v.value.errors ? `❌ ${v.value.errors} error(s)` : '✅ no errors'}${v.value.warnings ? `, ${v.value.warnings} warning(s)` : ''} in ${v.value.files} file(s)` : 'validation: ⚠️ unavailable');
  const t = report.tests;
  parts.push(t.available ? `tests of changed detections: ${t.value.failed + t.value.error ? '❌' : '✅'} ${t.value.passed} passed, ${t.value.failed} failed, ${t.value.error} errors` : 'tests: ⚠️ unavailable');
  const b = report.build;
  parts.push(b.available ? `build: ${b.value.errors ? `❌ ${b.value.errors} error(s)` : '✅'}` : 'build: ⚠️ unavailable');
  return parts.map((p) => `- ${p}`).join('\n') + '\n';
}

function coverageSection(report: PrReport): string {
  const c = report.coverage;
  if (!c.available) return unavailable(c);
  const d = c.value;
  const list = (cells: typeof d.newlyCovered) => cells.map((x) => `\`${x.technique}\` ${x.name} (${x.tactic})`).join(', ');
  const lines = [`**+${d.newlyCovered.length}** newly covered, **-${d.noLongerCovered.length}** no longer covered technique/tactic cells.`];
  if (d.newlyCovered.length) lines.push(`- ➕ ${list(d.newlyCovered)}`);
  if (d.noLongerCovered.length) lines.push(`- ➖ ${list(d.noLongerCovered)}`);
  return lines.join('\n') + '\n';
}

function deploySection(report: PrReport): string {
  const dep = report.deploy;
  if (!dep.available) return unavailable(dep);
  const rows = (['sentinel', 'defender'] as const).map((p) => `| ${p} | ${dep.value[p].create} | ${dep.value[p].update} | ${dep.value[p].delete} |`);
  return [
    'Dry run from the compiled artifacts (before the environment selection in `deploy/targets.yaml`; `dac plan` compares with the live rules):',
    '',
    '| Platform | Create | Update | Delete (only with `--prune`) |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

export function renderPrReportMarkdown(report: PrReport, limit = GITHUB_COMMENT_LIMIT): string {
  const head = [
    PR_REPORT_MARKER,
    `## kql-dac review against \`${report.baseRef}\``,
    '',
    checksLine(report),
    unavailable(report.validation) + unavailable(report.tests) + unavailable(report.build),
    '### Detections',
    '',
    summaryTable(report),
    otherProblems(report),
  ].join('\n');
  const tail = ['', '### ATT&CK coverage', '', coverageSection(report), '### Deploy preview', '', deploySection(report)].join('\n');
  const blocks = report.changes.map(detectionBlock);
  const omittedNote = (n: number) => `\n_… ${n} detection detail block(s) omitted to stay under GitHub's ${limit.toLocaleString('en-US')}-character comment limit; see the job summary or run \`npx dac pr-report\` locally._\n`;
  // Keep as many detail blocks as fit, in order, reserving room for the tail and the omission note.
  const reserve = head.length + tail.length + omittedNote(blocks.length).length + 16;
  const kept: string[] = [];
  let size = reserve;
  for (const b of blocks) {
    if (size + b.length + 1 > limit) break;
    kept.push(b);
    size += b.length + 1;
  }
  const details = kept.join('\n') + (kept.length < blocks.length ? omittedNote(blocks.length - kept.length) : '');
  const text = `${head}\n${details}${tail}`;
  return text.length <= limit ? text : text.slice(0, limit - 80) + '\n\n_… truncated to fit the comment limit._\n';
}

/** Plans and apply outcomes as text (terminal), Markdown (job summaries, PRs) and JSON (tools). */
import type { Outcome } from './deploy.ts';
import type { FieldChange, TargetPlan } from './plan.ts';

const SYMBOL: Record<string, string> = { create: '+', update: '~', 'delete-candidate': '-', unchanged: '=', conflict: '!' };

function show(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  if (s === undefined) return '(absent)';
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

function changeLine(c: FieldChange): string {
  return `${c.path}: ${show(c.before)} → ${show(c.after)}`;
}

export function summarise(plans: readonly TargetPlan[]): Record<string, number> {
  const counts: Record<string, number> = { create: 0, update: 0, 'delete-candidate': 0, unchanged: 0, conflict: 0 };
  for (const p of plans) for (const i of p.items) counts[i.action] = (counts[i.action] ?? 0) + 1;
  return counts;
}

export function planToText(plans: readonly TargetPlan[]): string {
  const out: string[] = [];
  for (const p of plans) {
    out.push(`target ${p.target}${p.unmanaged ? ` (${p.unmanaged} rules not managed by kql-dac left alone)` : ''}`);
    if (p.error) out.push(`  ! ${p.error}`);
    for (const i of p.items) {
      if (i.action === 'unchanged') continue;
      out.push(`  ${SYMBOL[i.action]} ${i.action.padEnd(16)} ${i.platform.padEnd(8)} ${i.name} (${i.ruleId})${i.reason ? ` — ${i.reason}` : ''}`);
      for (const c of i.changes.slice(0, 20)) out.push(`      ${changeLine(c)}`);
      if (i.changes.length > 20) out.push(`      … ${i.changes.length - 20} more changed fields`);
    }
    const unchanged = p.items.filter((i) => i.action === 'unchanged').length;
    if (unchanged) out.push(`  = ${unchanged} unchanged`);
  }
  const c = summarise(plans);
  out.push(`Plan: ${c.create} to create, ${c.update} to update, ${c['delete-candidate']} delete candidates (only with --prune), ${c.unchanged} unchanged${c.conflict ? `, ${c.conflict} conflicts` : ''}.`);
  return out.join('\n') + '\n';
}

const md = (s: string) => s.replace(/\|/g, '\\|').replace(/[<>]/g, (x) => (x === '<' ? '&lt;' : '&gt;')).replace(/\r?\n/g, ' ');

export function planToMarkdown(plans: readonly TargetPlan[], title = 'Deployment plan'): string {
  const c = summarise(plans);
  const out = [`### ${title}`, '', `**${c.create}** to create · **${c.update}** to update · **${c['delete-candidate']}** delete candidates · ${c.unchanged} unchanged${c.conflict ? ` · **${c.conflict} conflicts**` : ''}`, ''];
  for (const p of plans) {
    out.push(`#### ${md(p.target)}`, '');
    if (p.error) out.push(`**Error:** ${md(p.error)}`, '');
    const changed = p.items.filter((i) => i.action !== 'unchanged');
    if (!changed.length) out.push('No changes.', '');
    else {
      out.push('| | Rule | Platform | Changes |', '| --- | --- | --- | --- |');
      for (const i of changed) out.push(`| ${i.action} | ${md(i.name)} | ${i.platform} | ${md(i.reason ?? i.changes.map((ch) => ch.path).slice(0, 8).join(', '))} |`);
      out.push('');
    }
  }
  return out.join('\n') + '\n';
}

export function planToJson(plans: readonly TargetPlan[]): object {
  return {
    summary: summarise(plans),
    targets: plans.map((p) => ({
      target: p.target, unmanaged: p.unmanaged, ...(p.error ? { error: p.error } : {}),
      rules: p.items.map((i) => ({ action: i.action, platform: i.platform, ruleId: i.ruleId, name: i.name, changes: i.changes, ...(i.reason ? { reason: i.reason } : {}) })),
    })),
  };
}

export function outcomesToMarkdown(outcomes: readonly Outcome[]): string {
  const failed = outcomes.filter((o) => !o.ok).length;
  const out = [`### Deployment outcome`, '', `${outcomes.length - failed} succeeded · ${failed} failed`, ''];
  if (outcomes.length) {
    out.push('| Target | Action | Rule | Platform | Result |', '| --- | --- | --- | --- | --- |');
    for (const o of outcomes) out.push(`| ${md(o.target)} | ${o.action} | ${md(o.name)} | ${o.platform} | ${o.ok ? 'ok' : `**failed**: ${md(o.error ?? '')}`}${o.ok && o.error ? ` (${md(o.error)})` : ''} |`);
  } else out.push('Nothing to do.');
  return out.join('\n') + '\n';
}

/** coverage.md: per-tactic summary, then technique → detections, status-aware, then problems and the delta. */
import type { CoverageDelta } from './delta.ts';
import { describeProblem, matrixColumn, type CoverageModel } from './model.ts';

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/\r?\n/g, ' ');

export function renderMarkdown(model: CoverageModel, delta?: CoverageDelta): string {
  const lines: string[] = [];
  lines.push(`# ATT&CK coverage`, '');
  lines.push(`MITRE ATT&CK Enterprise v${model.attackVersion} · ${model.counted.length} detections counted` +
    (model.notCounted.length ? ` · ${model.notCounted.length} not counted (see below)` : ''), '');
  lines.push('A technique counts as covered in a tactic when it, or one of its sub-techniques, is mapped there by a detection;',
    '"production" counts only detections with `status: production`.', '');
  lines.push('| Tactic | Techniques covered / active | Covered in production | Detections |', '| --- | --- | --- | --- |');
  for (const tactic of model.tactics) {
    const column = matrixColumn(tactic.shortname);
    const cellsHere = [...model.cells.values()].filter((c) => c.tactic === tactic.shortname);
    const coveredParents = (productionOnly: boolean) =>
      column.filter(({ technique, subtechniques }) => [technique, ...subtechniques].some((t) =>
        cellsHere.some((c) => c.technique.id === t.id && c.detections.some((d) => !productionOnly || d.status === 'production')))).length;
    const detections = new Set(cellsHere.flatMap((c) => c.detections.map((d) => d.id))).size;
    lines.push(`| ${tactic.name} | ${coveredParents(false)} / ${column.length} | ${coveredParents(true)} | ${detections} |`);
  }
  lines.push('', '## Techniques', '');
  if (model.cells.size === 0) lines.push('No technique is covered.');
  else {
    lines.push('| Technique | Tactic | Production | Test / experimental |', '| --- | --- | --- | --- |');
    for (const cell of model.cells.values()) {
      const prod = cell.detections.filter((d) => d.status === 'production').map((d) => esc(d.name));
      const other = cell.detections.filter((d) => d.status !== 'production').map((d) => `${esc(d.name)} (${d.status})`);
      lines.push(`| ${cell.technique.id} ${esc(cell.technique.name)} | ${cell.tactic} | ${prod.join('<br>') || '—'} | ${other.join('<br>') || '—'} |`);
    }
  }
  if (model.problems.length) {
    lines.push('', '## ATT&CK problems', '', 'These mappings are not counted as coverage:', '');
    for (const p of model.problems) {
      lines.push(`- **${esc(p.detection.name)}** (${esc(p.detection.file)}): ${describeProblem(p)}`);
    }
  }
  if (model.notCounted.length) {
    lines.push('', '## Detections not counted', '');
    for (const { detection, reason } of model.notCounted) lines.push(`- ${esc(detection.name)} (${esc(detection.file)}): ${reason}`);
  }
  if (delta) lines.push('', ...renderDeltaMarkdown(delta));
  return lines.join('\n') + '\n';
}

export function renderDeltaMarkdown(delta: CoverageDelta): string[] {
  const lines = [`## Change against \`${esc(delta.baseRef)}\``, ''];
  const list = (title: string, items: string[]) => {
    lines.push(`**${title}** (${items.length})${items.length ? '' : ': none'}`, '');
    for (const item of items) lines.push(`- ${item}`);
    if (items.length) lines.push('');
  };
  list('Newly covered', delta.newlyCovered.map((c) => `${c.technique} ${esc(c.name)} (${c.tactic})`));
  list('No longer covered', delta.noLongerCovered.map((c) => `${c.technique} ${esc(c.name)} (${c.tactic})`));
  list('Detections added', delta.added.map((d) => `${esc(d.name)} (${esc(d.file)})`));
  list('Detections removed', delta.removed.map((d) => `${esc(d.name)} (${esc(d.file)})`));
  list('Detections changed', delta.changed.map((d) => `${esc(d.name)} (${esc(d.file)})`));
  return lines;
}

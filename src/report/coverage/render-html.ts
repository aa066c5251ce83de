/**
 * coverage.html: a self-contained ATT&CK matrix (no CDN, no network). The data is embedded as JSON and drawn
 * by a small script with textContent only: detection names come from pull requests and are untrusted.
 */
import { readFileSync } from 'node:fs';
import { repoPath } from '../../paths.ts';
import type { CoverageDelta } from './delta.ts';
import { describeProblem, matrixColumn, type CoverageModel } from './model.ts';

export interface MatrixData {
  attackVersion: string;
  generatedFrom: string;
  tactics: { shortname: string; name: string; techniques: { id: string; name: string; subs: { id: string; name: string }[] }[] }[];
  detections: { id: string; name: string; status: string; platforms: string[]; file: string }[];
  /** `technique|tactic` → indexes into `detections`. */
  cells: Record<string, number[]>;
  problems: string[];
  notCounted: string[];
  delta: CoverageDelta | null;
}

export function matrixData(model: CoverageModel, delta?: CoverageDelta): MatrixData {
  const detections = model.counted.map((d) => ({ id: d.id, name: d.name, status: d.status, platforms: d.platforms, file: d.file }));
  const index = new Map(detections.map((d, i) => [d.id, i]));
  const cells: Record<string, number[]> = {};
  for (const [key, cell] of model.cells) cells[key] = cell.detections.map((d) => index.get(d.id)!);
  return {
    attackVersion: model.attackVersion,
    generatedFrom: `${model.counted.length} detections`,
    tactics: model.tactics.map((t) => ({
      shortname: t.shortname,
      name: t.name,
      techniques: matrixColumn(t.shortname).map(({ technique, subtechniques }) => ({
        id: technique.id, name: technique.name, subs: subtechniques.map((s) => ({ id: s.id, name: s.name })),
      })),
    })),
    detections,
    cells,
    problems: model.problems.map((p) => `${p.detection.name}: ${describeProblem(p)}`),
    notCounted: model.notCounted.map((n) => `${n.detection.name}: ${n.reason}`),
    delta: delta ?? null,
  };
}

/** JSON safe inside a <script> element: no `</script>`, `<!--` or line separators can end or confuse it. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function renderHtml(model: CoverageModel, delta?: CoverageDelta): string {
  const assets = repoPath('src/report/coverage/assets');
  const css = readFileSync(`${assets}/matrix.css`, 'utf8');
  const js = readFileSync(`${assets}/matrix.js`, 'utf8');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>ATT&amp;CK coverage · kql-dac</title>
<style>
${css}
</style>
</head>
<body>
<header>
  <h1>ATT&amp;CK coverage</h1>
  <p class="sub" id="subtitle"></p>
  <form class="controls" id="controls" onsubmit="return false">
    <label>Platform
      <select id="platform-filter" name="platform">
        <option value="all">All platforms</option>
        <option value="sentinel">Microsoft Sentinel</option>
        <option value="defender">Microsoft Defender XDR</option>
      </select>
    </label>
    <label>Status
      <select id="status-filter" name="status">
        <option value="all">All statuses</option>
        <option value="production">Production only</option>
        <option value="preproduction">Test and experimental</option>
      </select>
    </label>
    <label><input type="checkbox" id="covered-only"> Covered techniques only</label>
    <button type="button" id="expand-all">Expand sub-techniques</button>
    <span class="legend"><span class="swatch c0"></span>none <span class="swatch c1"></span>1 <span class="swatch c2"></span>2 <span class="swatch c3"></span>3+ detections <span class="swatch trial"></span>test/experimental only<span class="delta-only"><span class="swatch new"></span>new since base</span></span>
  </form>
</header>
<main>
  <div id="matrix" class="matrix" aria-label="ATT&amp;CK matrix"></div>
  <aside id="details" class="details" aria-live="polite"></aside>
</main>
<section id="notes" class="notes"></section>
<script type="application/json" id="coverage-data">${jsonForScript(matrixData(model, delta))}</script>
<script>
${js}
</script>
</body>
</html>
`;
}

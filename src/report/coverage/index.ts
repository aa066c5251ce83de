/** Coverage reports: the model for all platforms and per platform, rendered to layer JSON, Markdown and HTML. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CoverageDelta } from './delta.ts';
import { computeCoverage, type CoverageModel, type SourcedDetection } from './model.ts';
import { renderHtml } from './render-html.ts';
import { renderLayer } from './render-layer.ts';
import { renderMarkdown } from './render-markdown.ts';

export { coverageDelta, compareCoverage, detectionsAtRef, GitRefError, type CoverageDelta } from './delta.ts';
export { computeCoverage, describeProblem, type CoverageModel, type SourcedDetection } from './model.ts';
export { renderLayer } from './render-layer.ts';

export interface CoverageReports {
  models: { all: CoverageModel; sentinel: CoverageModel; defender: CoverageModel };
  /** File name (inside the output folder) → content. */
  files: Record<string, string>;
}

export function buildCoverageReports(detections: readonly SourcedDetection[], delta?: CoverageDelta): CoverageReports {
  const all = computeCoverage(detections, 'all');
  const sentinel = computeCoverage(detections, 'sentinel');
  const defender = computeCoverage(detections, 'defender');
  const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';
  return {
    models: { all, sentinel, defender },
    files: {
      'attack-layer.json': json(renderLayer(all)),
      'attack-layer.sentinel.json': json(renderLayer(sentinel)),
      'attack-layer.defender.json': json(renderLayer(defender)),
      'coverage.md': renderMarkdown(all, delta),
      'coverage.html': renderHtml(all, delta),
    },
  };
}

export function writeCoverageReports(reports: CoverageReports, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  return Object.entries(reports.files).map(([name, content]) => {
    const path = join(outDir, name);
    writeFileSync(path, content);
    return path;
  });
}

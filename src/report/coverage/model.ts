/**
 * The coverage model: which detections cover which (technique, tactic) cell of the pinned ATT&CK matrix.
 *
 * Counting rules (kept in one place so the layer, Markdown and HTML agree):
 * - a mitre entry with a tactic covers that cell only; without one it covers every tactic of the technique;
 * - a sub-technique covers its own cell; its parent is shown expanded but is not counted as covered by it;
 * - deprecated detections, and detections enabled on no platform, are listed but never count as coverage;
 * - with a platform, only detections enabled on that platform count;
 * - revoked, deprecated and unknown techniques are reported as problems, not silently dropped.
 */
import { attackCatalog, type AttackTactic, type AttackTechnique } from '../../attack/catalog.ts';
import { enabledPlatforms, type Detection, type Status } from '../../detection/types.ts';
import type { Platform } from '../../kql/table-schemas.ts';

export interface CoveringDetection {
  id: string;
  name: string;
  file: string;
  status: Status;
  platforms: Platform[];
}

export interface CoverageCell {
  technique: AttackTechnique;
  tactic: string;
  detections: CoveringDetection[];
}

export interface CoverageProblem {
  detection: CoveringDetection;
  technique: string;
  kind: 'revoked' | 'deprecated' | 'unknown' | 'tactic-mismatch';
  replacement?: string;
  /** The tactic named by the detection, for 'tactic-mismatch'. */
  tactic?: string;
}

/** One phrase for a problem, shared by the Markdown, the HTML and the CLI warning. */
export function describeProblem(p: CoverageProblem): string {
  switch (p.kind) {
    case 'revoked': return `${p.technique} is revoked${p.replacement ? `; use ${p.replacement}` : ''}`;
    case 'deprecated': return `${p.technique} is deprecated`;
    case 'unknown': return `${p.technique} is not an ATT&CK Enterprise technique`;
    case 'tactic-mismatch': return `${p.technique} does not belong to tactic ${p.tactic}`;
  }
}

export interface CoverageModel {
  attackVersion: string;
  platform: Platform | 'all';
  tactics: AttackTactic[];
  /** Covered cells, keyed `T1071.001|command-and-control`, in matrix order. */
  cells: Map<string, CoverageCell>;
  counted: CoveringDetection[];
  /** Detections present but not counted (deprecated, or enabled nowhere / not on this platform), with the reason. */
  notCounted: { detection: CoveringDetection; reason: string }[];
  problems: CoverageProblem[];
}

export interface SourcedDetection {
  file: string;
  detection: Detection;
}

export function cellKey(technique: string, tactic: string): string {
  return `${technique}|${tactic}`;
}

export function computeCoverage(detections: readonly SourcedDetection[], platform: Platform | 'all' = 'all'): CoverageModel {
  const catalog = attackCatalog();
  const cells = new Map<string, CoverageCell>();
  const counted: CoveringDetection[] = [];
  const notCounted: CoverageModel['notCounted'] = [];
  const problems: CoverageProblem[] = [];
  for (const { file, detection } of detections) {
    const covering: CoveringDetection = {
      id: detection.id, name: detection.name, file, status: detection.status, platforms: enabledPlatforms(detection),
    };
    for (const entry of detection.mitre) {
      const t = catalog.technique(entry.technique);
      if (!t) problems.push({ detection: covering, technique: entry.technique, kind: 'unknown' });
      else if (t.revoked) problems.push({ detection: covering, technique: t.id, kind: 'revoked', ...(catalog.replacementOf(t.id) ? { replacement: catalog.replacementOf(t.id)!.id } : {}) });
      else if (t.deprecated) problems.push({ detection: covering, technique: t.id, kind: 'deprecated' });
      else if (entry.tactic && !t.tactics.includes(entry.tactic)) problems.push({ detection: covering, technique: t.id, kind: 'tactic-mismatch', tactic: entry.tactic });
    }
    const reason =
      detection.status === 'deprecated' ? 'deprecated'
      : covering.platforms.length === 0 ? 'enabled on no platform'
      : platform !== 'all' && !covering.platforms.includes(platform) ? `not enabled on ${platform}`
      : undefined;
    if (reason) {
      notCounted.push({ detection: covering, reason });
      continue;
    }
    counted.push(covering);
    for (const entry of detection.mitre) {
      const t = catalog.technique(entry.technique);
      if (!t || t.revoked || t.deprecated) continue;
      const tactics = entry.tactic ? (t.tactics.includes(entry.tactic) ? [entry.tactic] : []) : t.tactics;
      for (const tactic of tactics) {
        const key = cellKey(t.id, tactic);
        let cell = cells.get(key);
        if (!cell) cells.set(key, (cell = { technique: t, tactic, detections: [] }));
        if (!cell.detections.some((d) => d.id === covering.id)) cell.detections.push(covering);
      }
    }
  }
  const order = new Map(catalog.tactics.map((t) => [t.shortname, t.order]));
  const sorted = new Map([...cells.entries()].sort(([, a], [, b]) => (order.get(a.tactic)! - order.get(b.tactic)!) || a.technique.id.localeCompare(b.technique.id)));
  return { attackVersion: catalog.version, platform, tactics: catalog.tactics, cells: sorted, counted, notCounted, problems };
}

/** Active parent techniques of a tactic, each with its active sub-techniques, in ID order. */
export function matrixColumn(tactic: string): { technique: AttackTechnique; subtechniques: AttackTechnique[] }[] {
  const active = attackCatalog().active().filter((t) => t.tactics.includes(tactic));
  const parents = active.filter((t) => !t.isSubtechnique).sort((a, b) => a.name.localeCompare(b.name));
  return parents.map((p) => ({ technique: p, subtechniques: active.filter((s) => s.parent === p.id).sort((a, b) => a.id.localeCompare(b.id)) }));
}

export function isProduction(d: CoveringDetection): boolean {
  return d.status === 'production';
}

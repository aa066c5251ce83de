/** ATT&CK Navigator layer (format 4.5) from a coverage model: one entry per covered (technique, tactic) cell. */
import type { CoverageModel } from './model.ts';

export const NAVIGATOR_VERSION = '5.1.0';
export const LAYER_FORMAT = '4.5';
const GRADIENT = ['#e8f1fb', '#66b1ff', '#1f5fa8'];

export interface NavigatorLayer {
  name: string;
  versions: { attack: string; navigator: string; layer: string };
  domain: 'enterprise-attack';
  description: string;
  sorting: number;
  layout: Record<string, unknown>;
  hideDisabled: boolean;
  techniques: Record<string, unknown>[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: { label: string; color: string }[];
  metadata: ({ name: string; value: string } | { divider: true })[];
  showTacticRowBackground: boolean;
  tacticRowBackground: string;
  selectTechniquesAcrossTactics: boolean;
  selectSubtechniquesWithParent: boolean;
}

export function renderLayer(model: CoverageModel): NavigatorLayer {
  const techniques: Record<string, unknown>[] = [];
  const coveredKeys = new Set(model.cells.keys());
  const expandedParents = new Set<string>();
  let maxScore = 1;
  for (const cell of model.cells.values()) {
    const { technique, tactic, detections } = cell;
    const production = detections.filter((d) => d.status === 'production').length;
    maxScore = Math.max(maxScore, detections.length);
    techniques.push({
      techniqueID: technique.id,
      tactic,
      score: detections.length,
      comment: `${detections.length} detection${detections.length === 1 ? '' : 's'} (${production} in production): ${detections.map((d) => d.name).join('; ')}`,
      enabled: true,
      metadata: detections.flatMap((d, i) => [
        ...(i ? [{ divider: true as const }] : []),
        { name: 'detection', value: d.name },
        { name: 'id', value: d.id },
        { name: 'status', value: d.status },
        { name: 'platforms', value: d.platforms.join(', ') },
      ]),
      showSubtechniques: false,
    });
    // Navigator shows a sub-technique only under an expanded parent: annotate the parent, without a score.
    if (technique.parent && !coveredKeys.has(`${technique.parent}|${tactic}`) && !expandedParents.has(`${technique.parent}|${tactic}`)) {
      expandedParents.add(`${technique.parent}|${tactic}`);
      techniques.push({ techniqueID: technique.parent, tactic, showSubtechniques: true, comment: 'sub-techniques covered' });
    }
  }
  for (const t of techniques) {
    if (!t.showSubtechniques && model.cells.has(`${t.techniqueID as string}|${t.tactic as string}`)) {
      const hasCoveredSub = [...model.cells.values()].some((c) => c.technique.parent === t.techniqueID && c.tactic === t.tactic);
      if (hasCoveredSub) t.showSubtechniques = true;
    }
  }
  const platformLabel = model.platform === 'all' ? 'all platforms' : model.platform === 'sentinel' ? 'Microsoft Sentinel' : 'Microsoft Defender XDR';
  return {
    name: `kql-dac coverage (${platformLabel})`,
    versions: { attack: model.attackVersion, navigator: NAVIGATOR_VERSION, layer: LAYER_FORMAT },
    domain: 'enterprise-attack',
    description: `Techniques covered by kql-dac detections on ${platformLabel}; score = number of detections (deprecated detections excluded). ATT&CK v${model.attackVersion}.`,
    sorting: 3,
    layout: { layout: 'side', showID: true, showName: true, showAggregateScores: false, countUnscored: false, aggregateFunction: 'average', expandedSubtechniques: 'annotated' },
    hideDisabled: false,
    techniques,
    gradient: { colors: GRADIENT, minValue: 0, maxValue: Math.max(2, maxScore) },
    legendItems: [
      { label: '1 detection', color: GRADIENT[1]! },
      { label: `${Math.max(2, maxScore)}+ detections`, color: GRADIENT[2]! },
    ],
    metadata: [
      { name: 'generator', value: 'kql-dac coverage' },
      { name: 'platform', value: model.platform },
      { name: 'detections counted', value: String(model.counted.length) },
      { name: 'detections not counted', value: String(model.notCounted.length) },
    ],
    showTacticRowBackground: true,
    tacticRowBackground: '#dddddd',
    selectTechniquesAcrossTactics: false,
    selectSubtechniquesWithParent: false,
  };
}

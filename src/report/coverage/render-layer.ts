/** ATT&CK Navigator layer (format 4.5) from a coverage model: one entry per covered (technique, tactic) cell. */
import type { CoverageModel } from './model.ts';

export const NAVIGATOR_VERSION = '5.1.0';
export const LAYER_FORMAT = '4.5';
/**
 * Same shades as coverage.html: Navigator spaces the colours evenly between minValue and maxValue and clamps
 * above, so with 0..3 a score of 1, 2 and 3+ gets exactly the 2nd, 3rd and 4th colour on every layer.
 */
const GRADIENT = ['#f4f5f7', '#b9dcff', '#66b1ff', '#1f5fa8'];
const GRADIENT_MAX = GRADIENT.length - 1;

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
  for (const cell of model.cells.values()) {
    const { technique, tactic, detections } = cell;
    const production = detections.filter((d) => d.status === 'production').length;
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
    gradient: { colors: GRADIENT, minValue: 0, maxValue: GRADIENT_MAX },
    legendItems: [
      { label: '1 detection', color: GRADIENT[1]! },
      { label: '2 detections', color: GRADIENT[2]! },
      { label: `${GRADIENT_MAX}+ detections`, color: GRADIENT[3]! },
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

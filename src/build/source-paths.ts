/**
 * Where in the detection YAML an artifact field comes from, so a contract violation points at the line the
 * author has to change rather than at the top of the platform section. Unknown fields fall back to the
 * platform section (a custom template, not the detection, is then the likely cause).
 */
import type { Platform } from '../kql/table-schemas.ts';

type Path = (string | number)[];

const SENTINEL: Record<string, Path> = {
  displayName: ['name'],
  description: ['description'],
  severity: ['severity'],
  enabled: ['status'],
  query: ['query'],
  queryFrequency: ['sentinel', 'queryFrequency'],
  queryPeriod: ['sentinel', 'queryPeriod'],
  triggerOperator: ['sentinel', 'triggerOperator'],
  triggerThreshold: ['sentinel', 'triggerThreshold'],
  suppressionEnabled: ['sentinel', 'suppression', 'enabled'],
  suppressionDuration: ['sentinel', 'suppression', 'duration'],
  tactics: ['mitre'],
  techniques: ['mitre'],
  subTechniques: ['mitre'],
  entityMappings: ['sentinel', 'entityMappings'],
  customDetails: ['sentinel', 'customDetails'],
  alertDetailsOverride: ['sentinel', 'alertDetailsOverride'],
  eventGroupingSettings: ['sentinel', 'eventGrouping'],
  incidentConfiguration: ['sentinel', 'incident'],
};

const DEFENDER: [RegExp, (m: RegExpMatchArray) => Path][] = [
  [/^\/displayName/, () => ['name']],
  [/^\/description/, () => ['description']],
  [/^\/status/, () => ['status']],
  [/^\/queryCondition/, () => ['query']],
  [/^\/schedule\/(frequency|lookback)/, (m) => ['defender', m[1]!]],
  [/^\/schedule/, () => ['defender', 'frequency']],
  [/^\/detectionAction\/alertTemplate\/(title|description|recommendedActions)/, (m) => ['defender', 'alert', m[1]!]],
  [/^\/detectionAction\/alertTemplate\/severity/, () => ['severity']],
  [/^\/detectionAction\/alertTemplate\/tactics/, () => ['mitre']],
  [/^\/detectionAction\/alertTemplate\/(entityMappings|customDetails)((?:\/[^/]+)*)/, (m) => ['defender', m[1]!, ...segments(m[2]!)]],
  [/^\/detectionAction\/automatedActions((?:\/[^/]+)*)/, (m) => ['defender', 'automatedActions', ...segments(m[1]!)]],
  [/^\/detectionAction\/organizationalScope/, () => ['defender', 'deviceGroups']],
];

function segments(pointer: string): Path {
  return pointer.split('/').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** Detection YAML path for a JSON pointer inside a rendered artifact. */
export function detectionPathFor(platform: Platform, pointer: string): Path {
  if (platform === 'sentinel') {
    const m = /^\/resources\/0\/properties\/([^/]+)((?:\/[^/]+)*)/.exec(pointer);
    const base = m ? SENTINEL[m[1]!] : undefined;
    if (!base) return ['sentinel'];
    // Sub-paths carry over where the detection has the same shape (entity mappings, custom details, override).
    const rest = ['entityMappings', 'customDetails', 'alertDetailsOverride'].includes(m![1]!) ? segments(m![2]!)
      : m![2] === '/groupingConfiguration/lookbackDuration' ? ['grouping', 'lookbackDuration'] : [];
    return [...base, ...rest];
  }
  for (const [re, path] of DEFENDER) {
    const m = pointer.match(re);
    if (m) return path(m);
  }
  return ['defender'];
}

/**
 * What the templates see: one plain object per platform, with every default and platform translation
 * already applied here in TypeScript, so templates stay declarative and an organisation's own templates
 * cannot get the API rules wrong.
 */
import type { Detection } from '../detection/types.ts';
import { defenderAttack, sentinelAttack } from './attack-mapping.ts';

export const SENTINEL_API_VERSION = '2025-10-01-preview';

/** Sentinel rule resource name: the detection id itself (stable forever, a UUID as the portal uses). */
export function sentinelRuleName(detectionId: string): string {
  return detectionId.toLowerCase();
}

/** Defender (Graph) client-supplied rule id; the `dac-` prefix marks rules this toolkit manages. */
export function defenderRuleId(detectionId: string): string {
  return `dac-${detectionId.toLowerCase()}`;
}

const pascal = (s: string) => s[0]!.toUpperCase() + s.slice(1);

export interface SentinelView {
  ruleName: string;
  armId: string;
  armName: string;
  apiVersion: string;
  kind: 'Scheduled' | 'NRT';
  isScheduled: boolean;
  properties: Record<string, unknown>;
}

export interface DefenderView {
  body: Record<string, unknown>;
}

export interface ViewContext {
  detection: Detection;
  /** The query after the platform's dialect rewrite. */
  query: string;
}

export function sentinelView({ detection: d, query }: ViewContext): SentinelView {
  const s = d.sentinel!;
  const kind = s.kind === 'nrt' ? 'NRT' : 'Scheduled';
  const ruleName = sentinelRuleName(d.id);
  const attack = sentinelAttack(d.mitre);
  const properties: Record<string, unknown> = {
    displayName: d.name,
    description: d.description,
    severity: pascal(d.severity),
    enabled: d.status !== 'deprecated',
    query,
    ...(kind === 'Scheduled'
      ? {
          queryFrequency: s.queryFrequency ?? 'PT1H',
          queryPeriod: s.queryPeriod ?? s.queryFrequency ?? 'PT1H',
          triggerOperator: s.triggerOperator ?? 'GreaterThan',
          triggerThreshold: s.triggerThreshold ?? 0,
        }
      : {}),
    suppressionEnabled: s.suppression?.enabled ?? false,
    suppressionDuration: s.suppression?.duration ?? 'PT5H',
    tactics: attack.tactics,
    techniques: attack.techniques,
    subTechniques: attack.subTechniques,
    entityMappings: s.entityMappings ?? [],
    customDetails: s.customDetails ?? {},
    ...(s.alertDetailsOverride ? { alertDetailsOverride: s.alertDetailsOverride } : {}),
    eventGroupingSettings: { aggregationKind: s.eventGrouping ?? 'SingleAlert' },
    incidentConfiguration: {
      createIncident: s.incident?.createIncident ?? true,
      groupingConfiguration: {
        enabled: s.incident?.grouping?.enabled ?? false,
        reopenClosedIncident: s.incident?.grouping?.reopenClosedIncident ?? false,
        lookbackDuration: s.incident?.grouping?.lookbackDuration ?? 'PT5H',
        matchingMethod: s.incident?.grouping?.matchingMethod ?? 'AllEntities',
        groupByEntities: s.incident?.grouping?.groupByEntities ?? [],
        groupByAlertDetails: s.incident?.grouping?.groupByAlertDetails ?? [],
        groupByCustomDetails: s.incident?.grouping?.groupByCustomDetails ?? [],
      },
    },
  };
  return {
    ruleName,
    armId: `[concat(resourceId('Microsoft.OperationalInsights/workspaces/providers', parameters('workspace'), 'Microsoft.SecurityInsights'),'/alertRules/${ruleName}')]`,
    armName: `[concat(parameters('workspace'),'/Microsoft.SecurityInsights/${ruleName}')]`,
    apiVersion: SENTINEL_API_VERSION,
    kind,
    isScheduled: kind === 'Scheduled',
    properties,
  };
}

export function defenderView({ detection: d, query }: ViewContext): DefenderView {
  const f = d.defender!;
  const frequency = f.frequency ?? 'PT1H';
  const body: Record<string, unknown> = {
    id: defenderRuleId(d.id),
    displayName: d.name,
    description: d.description,
    status: d.status === 'deprecated' ? 'disabled' : 'enabled',
    queryCondition: { queryText: query },
    schedule: { frequency, ...(f.lookback && frequency !== 'PT0S' ? { lookback: f.lookback } : {}) },
    detectionAction: {
      alertTemplate: {
        title: f.alert?.title ?? d.name,
        description: f.alert?.description ?? d.description,
        severity: d.severity,
        ...(f.alert?.recommendedActions ? { recommendedActions: f.alert.recommendedActions } : {}),
        tactics: defenderAttack(d.mitre),
        entityMappings: f.entityMappings ?? {},
        customDetails: f.customDetails ?? {},
      },
      ...(f.automatedActions ? { automatedActions: f.automatedActions } : {}),
      organizationalScope: { deviceGroups: f.deviceGroups ?? [] },
    },
  };
  return { body };
}

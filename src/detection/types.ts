/** The detection model: what a `detections/**.yaml` file holds once it has passed the schema check. */
import type { Platform } from '../kql/table-schemas.ts';

export type Severity = 'informational' | 'low' | 'medium' | 'high';
export type Status = 'experimental' | 'test' | 'production' | 'deprecated';

export interface MitreMapping {
  technique: string;
  tactic?: string;
}

export interface SentinelEntityMapping {
  entityType: string;
  fieldMappings: { identifier: string; columnName: string }[];
}

export interface SentinelSettings {
  enabled: boolean;
  kind?: 'scheduled' | 'nrt';
  queryFrequency?: string;
  queryPeriod?: string;
  triggerOperator?: 'GreaterThan' | 'LessThan' | 'Equal' | 'NotEqual';
  triggerThreshold?: number;
  suppression?: { enabled: boolean; duration?: string };
  eventGrouping?: 'SingleAlert' | 'AlertPerResult';
  entityMappings?: SentinelEntityMapping[];
  customDetails?: Record<string, string>;
  alertDetailsOverride?: {
    alertDisplayNameFormat?: string;
    alertDescriptionFormat?: string;
    alertTacticsColumnName?: string;
    alertSeverityColumnName?: string;
    alertDynamicProperties?: { alertProperty: string; value: string }[];
  };
  incident?: {
    createIncident: boolean;
    grouping?: {
      enabled: boolean;
      reopenClosedIncident?: boolean;
      lookbackDuration?: string;
      matchingMethod?: 'AllEntities' | 'AnyAlert' | 'Selected';
      groupByEntities?: string[];
      groupByAlertDetails?: ('DisplayName' | 'Severity')[];
      groupByCustomDetails?: string[];
    };
  };
}

/** Graph detectionRule entity mappings: collection name → entries of `<field>Column: <result column>`. */
export type DefenderEntityMappings = Record<string, Record<string, string>[]>;
/** Graph automatedActionSet: action name → entries of column fields (plus isolationType etc.). */
export type DefenderAutomatedActions = Record<string, Record<string, string | string[]>[]>;

export interface DefenderSettings {
  enabled: boolean;
  /** PT0S = continuous (NRT). */
  frequency?: 'PT0S' | 'PT1H' | 'PT3H' | 'PT12H' | 'P1D';
  lookback?: string;
  alert?: { title?: string; description?: string; recommendedActions?: string };
  entityMappings?: DefenderEntityMappings;
  customDetails?: Record<string, string>;
  automatedActions?: DefenderAutomatedActions;
  deviceGroups?: string[];
}

export type FixtureRow = Record<string, unknown>;
export type FixtureRows = FixtureRow[] | { file: string };

export interface DetectionTest {
  name: string;
  description?: string;
  now: string;
  platforms?: Platform[];
  tables?: Record<string, FixtureRows>;
  externaldata?: Record<string, FixtureRows>;
  expect: {
    count?: number;
    contains?: FixtureRow[];
    excludes?: FixtureRow[];
    rows?: FixtureRow[];
  };
}

export interface Detection {
  id: string;
  name: string;
  description: string;
  severity: Severity;
  status: Status;
  author: string;
  version: string;
  created?: string;
  modified?: string;
  references?: string[];
  tags?: string[];
  falsePositives?: string[];
  mitre: MitreMapping[];
  query: string;
  sentinel?: SentinelSettings;
  defender?: DefenderSettings;
  tests?: DetectionTest[];
}

/** Platforms a detection is enabled on, in a fixed order. */
export function enabledPlatforms(d: Pick<Detection, 'sentinel' | 'defender'>): Platform[] {
  const out: Platform[] = [];
  if (d.defender?.enabled) out.push('defender');
  if (d.sentinel?.enabled) out.push('sentinel');
  return out;
}

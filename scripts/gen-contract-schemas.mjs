// Generates schemas/contracts/*.schema.json: the Sentinel alertRules (Scheduled, NRT) and Graph
// detectionRule contracts, written from the team's reference notes on both APIs (enums, ISO-8601 ranges,
// length limits, required fields). Run `node scripts/gen-contract-schemas.mjs` after editing.
import { writeFileSync } from 'node:fs';

const iso = { type: 'string', pattern: '^P(?!$)(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$' };
const column = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' };
const tactics = ['Reconnaissance', 'ResourceDevelopment', 'InitialAccess', 'Execution', 'Persistence', 'PrivilegeEscalation', 'DefenseEvasion', 'CredentialAccess', 'Discovery', 'LateralMovement', 'Collection', 'Exfiltration', 'CommandAndControl', 'Impact'];
const entityTypes = ['Account', 'Host', 'IP', 'Malware', 'File', 'Process', 'CloudApplication', 'DNS', 'AzureResource', 'FileHash', 'RegistryKey', 'RegistryValue', 'SecurityGroup', 'URL', 'Mailbox', 'MailCluster', 'MailMessage', 'SubmissionMail'];
const closed = (properties, required = []) => ({ type: 'object', additionalProperties: false, required, properties });

const common = {
  displayName: { type: 'string', minLength: 1, maxLength: 256 },
  description: { type: 'string', maxLength: 5000 },
  severity: { enum: ['High', 'Medium', 'Low', 'Informational'] },
  enabled: { type: 'boolean' },
  query: { type: 'string', minLength: 1, maxLength: 10000 },
  suppressionEnabled: { type: 'boolean' },
  suppressionDuration: iso,
  tactics: { type: 'array', uniqueItems: true, items: { enum: tactics } },
  techniques: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^T\\d{4}$' } },
  subTechniques: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^T\\d{4}\\.\\d{3}$' } },
  alertRuleTemplateName: { type: 'string' },
  templateVersion: { type: 'string', pattern: '^\\d+(\\.\\d+)*$' },
  entityMappings: {
    type: 'array', maxItems: 10,
    items: closed({
      entityType: { enum: entityTypes },
      fieldMappings: { type: 'array', minItems: 1, maxItems: 3, items: closed({ identifier: { type: 'string', minLength: 1 }, columnName: column }, ['identifier', 'columnName']) },
    }, ['entityType', 'fieldMappings']),
  },
  customDetails: { type: 'object', maxProperties: 20, propertyNames: { pattern: '^[a-zA-Z]\\w{0,19}$' }, additionalProperties: column },
  alertDetailsOverride: closed({
    alertDisplayNameFormat: { type: 'string', maxLength: 256 },
    alertDescriptionFormat: { type: 'string', maxLength: 5000 },
    alertTacticsColumnName: column,
    alertSeverityColumnName: column,
    alertDynamicProperties: { type: 'array', items: closed({ alertProperty: { enum: ['AlertLink', 'ConfidenceLevel', 'ConfidenceScore', 'ExtendedLinks', 'ProductName', 'ProviderName', 'ProductComponentName', 'RemediationSteps', 'Techniques', 'SubTechniques'] }, value: column }, ['alertProperty', 'value']) },
  }),
  eventGroupingSettings: closed({ aggregationKind: { enum: ['SingleAlert', 'AlertPerResult'] } }),
  incidentConfiguration: closed({
    createIncident: { type: 'boolean' },
    groupingConfiguration: closed({
      enabled: { type: 'boolean' },
      reopenClosedIncident: { type: 'boolean' },
      lookbackDuration: iso,
      matchingMethod: { enum: ['AllEntities', 'AnyAlert', 'Selected'] },
      groupByEntities: { type: 'array', items: { enum: entityTypes } },
      groupByAlertDetails: { type: 'array', items: { enum: ['DisplayName', 'Severity'] } },
      groupByCustomDetails: { type: 'array', items: { type: 'string' } },
    }, ['enabled', 'reopenClosedIncident', 'lookbackDuration', 'matchingMethod']),
  }, ['createIncident']),
};
const scheduledOnly = {
  queryFrequency: iso,
  queryPeriod: iso,
  triggerOperator: { enum: ['GreaterThan', 'LessThan', 'Equal', 'NotEqual'] },
  triggerThreshold: { type: 'integer', minimum: 0, maximum: 10000 },
};
const required = ['displayName', 'severity', 'enabled', 'query', 'suppressionEnabled', 'suppressionDuration'];
const scheduled = closed({ ...common, ...scheduledOnly }, [...required, ...Object.keys(scheduledOnly)]);
const nrt = closed(common, required);

const sentinel = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://kql-dac.dev/schemas/contracts/sentinel-alert-rule.schema.json',
  title: 'Sentinel analytics rule (Scheduled or NRT) as an ARM template',
  description: 'Microsoft.SecurityInsights/alertRules, api-version 2025-10-01-preview (NRT and subTechniques need a preview version). From the reference notes on the alertRules contract.',
  $defs: { scheduledProperties: scheduled, nrtProperties: nrt },
  ...closed({
    $schema: { const: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#' },
    contentVersion: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+\\.\\d+$' },
    parameters: closed({ workspace: closed({ type: { const: 'String' } }, ['type']) }, ['workspace']),
    resources: {
      type: 'array', minItems: 1, maxItems: 50,
      items: {
        ...closed({
          id: { type: 'string', pattern: "^\\[concat\\(resourceId\\('Microsoft.OperationalInsights/workspaces/providers', parameters\\('workspace'\\), 'Microsoft.SecurityInsights'\\),'/alertRules/[0-9a-f-]{36}'\\)\\]$" },
          name: { type: 'string', pattern: "^\\[concat\\(parameters\\('workspace'\\),'/Microsoft.SecurityInsights/[0-9a-f-]{36}'\\)\\]$" },
          type: { const: 'Microsoft.OperationalInsights/workspaces/providers/alertRules' },
          kind: { enum: ['Scheduled', 'NRT'] },
          apiVersion: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}(-preview)?$' },
          properties: { type: 'object' },
        }, ['name', 'type', 'kind', 'apiVersion', 'properties']),
        allOf: [
          { if: { type: 'object', properties: { kind: { const: 'Scheduled' } } }, then: { properties: { properties: { $ref: '#/$defs/scheduledProperties' } } } },
          { if: { type: 'object', properties: { kind: { const: 'NRT' } } }, then: { properties: { properties: { $ref: '#/$defs/nrtProperties' } } } },
        ],
      },
    },
  }, ['$schema', 'contentVersion', 'parameters', 'resources']),
};

const entityCollections = {
  accounts: ['aadUserIdColumn', 'dnsDomainColumn', 'nameColumn', 'ntDomainColumn', 'sidColumn', 'upnColumn', 'upnSuffixColumn'],
  amazonResources: ['amazonResourceIdColumn'], azureResources: ['resourceIdColumn'], cloudApplications: ['appIdColumn', 'nameColumn'],
  dns: ['domainNameColumn', 'hostIPAddressColumn', 'serverIPColumn'], files: ['nameColumn', 'sha1Column', 'sha256Column'],
  googleCloudResources: ['fullResourceNameColumn'], hosts: ['deviceIdColumn', 'dnsDomainColumn', 'nameColumn', 'netBiosNameColumn', 'ntDomainColumn'],
  ips: ['addressColumn', 'scopeColumn'], mailClusters: ['queryColumn', 'sourceColumn'], mailMessages: ['networkMessageIdColumn', 'recipientColumn', 'senderColumn', 'subjectColumn'],
  mailboxes: ['primaryAddressColumn'], oAuthApplications: ['oAuthAppIdColumn'], processes: ['sha1Column', 'sha256Column'],
  registryValues: ['keyColumn', 'valueNameColumn'], securityGroups: ['distinguishedNameColumn', 'objectIdColumn', 'sidColumn'], urls: ['addressColumn'],
};
const actionItem = { type: 'object', minProperties: 1, additionalProperties: { anyOf: [column, { type: 'array', items: { type: 'string' } }, { enum: ['full', 'selective'] }] } };
const actions = ['isolateDevices', 'collectInvestigationPackages', 'initiateInvestigations', 'restrictAppExecutions', 'runAntivirusScans', 'stopAndQuarantineFiles', 'allowFiles', 'blockFiles', 'disableUsers', 'forceUserPasswordResets', 'markUsersAsCompromised', 'softDeleteEmails', 'hardDeleteEmails', 'moveEmailsToDeletedItems', 'moveEmailsToInbox', 'moveEmailsToJunk'];

const defender = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://kql-dac.dev/schemas/contracts/defender-detection-rule.schema.json',
  title: 'Microsoft Graph security detectionRule (Defender XDR custom detection), current schema',
  description: 'POST/PATCH body for /security/rules/detectionRules. The deprecated isEnabled, schedule.period, alertTemplate.category/mitreTechniques/impactedAssets and detectionAction.responseActions are rejected (additionalProperties false). From the reference notes on the Graph contract.',
  ...closed({
    id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9-]{0,127}$' },
    displayName: { type: 'string', minLength: 1, maxLength: 256 },
    description: { type: 'string', maxLength: 5000 },
    status: { enum: ['enabled', 'disabled'] },
    queryCondition: closed({ queryText: { type: 'string', minLength: 1 } }, ['queryText']),
    schedule: closed({ frequency: { enum: ['PT0S', 'PT1H', 'PT3H', 'PT12H', 'P1D'] }, lookback: iso }, ['frequency']),
    detectionAction: closed({
      alertTemplate: closed({
        title: { type: 'string', minLength: 1, maxLength: 256 },
        description: { type: 'string', minLength: 1, maxLength: 5000 },
        severity: { enum: ['informational', 'low', 'medium', 'high'] },
        recommendedActions: { type: 'string' },
        tactics: { type: 'array', items: closed({
          tactic: { enum: tactics },
          techniques: { type: 'array', items: closed({ technique: { type: 'string', pattern: '^T\\d{4}$' }, subTechniques: { type: 'array', items: { type: 'string', pattern: '^T\\d{4}\\.\\d{3}$' } } }, ['technique', 'subTechniques']) },
        }, ['tactic', 'techniques']) },
        entityMappings: closed(Object.fromEntries(Object.entries(entityCollections).map(([k, cols]) => [k, { type: 'array', items: { ...closed(Object.fromEntries(cols.map((c) => [c, column]))), minProperties: 1 } }]))),
        customDetails: { type: 'object', maxProperties: 20, additionalProperties: column },
      }, ['title', 'description', 'severity']),
      automatedActions: closed(Object.fromEntries(actions.map((a) => [a, { type: 'array', items: actionItem }]))),
      organizationalScope: closed({ deviceGroups: { type: 'array', items: { type: 'string' } } }),
    }, ['alertTemplate']),
  }, ['id', 'displayName', 'status', 'queryCondition', 'schedule', 'detectionAction']),
};

for (const [name, schema] of [['sentinel-alert-rule', sentinel], ['defender-detection-rule', defender]]) {
  writeFileSync(new URL(`../schemas/contracts/${name}.schema.json`, import.meta.url), JSON.stringify(schema, null, 2) + '\n');
}

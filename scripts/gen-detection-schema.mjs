// Generates schemas/detection.schema.json. The entity-identifier table is long and repetitive in JSON,
// so it is written once here as data; run `node scripts/gen-detection-schema.mjs` after editing.
import { writeFileSync } from 'node:fs';

const duration = (description) => ({
  type: 'string',
  pattern: '^P(?!$)(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$',
  description: description + ' ISO-8601 duration, e.g. PT5M, PT1H, P1D.',
});
const column = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'A column the query returns.' };

const sentinelIdentifiers = {
  Account: ['Name', 'FullName', 'NTDomain', 'DnsDomain', 'UPNSuffix', 'Sid', 'AadTenantId', 'AadUserId', 'PUID', 'IsDomainJoined', 'DisplayName', 'ObjectGuid'],
  Host: ['DnsDomain', 'NTDomain', 'HostName', 'FullName', 'NetBiosName', 'AzureID', 'OMSAgentID', 'OSFamily', 'OSVersion', 'IsDomainJoined'],
  IP: ['Address'],
  URL: ['Url'],
  AzureResource: ['ResourceId'],
  CloudApplication: ['AppId', 'Name', 'InstanceName'],
  DNS: ['DomainName'],
  File: ['Directory', 'Name'],
  FileHash: ['Algorithm', 'Value'],
  Malware: ['Name', 'Category'],
  Process: ['ProcessId', 'CommandLine', 'ElevationToken', 'CreationTimeUtc'],
  RegistryKey: ['Hive', 'Key'],
  RegistryValue: ['Name', 'Value', 'ValueType'],
  SecurityGroup: ['DistinguishedName', 'SID', 'ObjectGuid'],
  Mailbox: ['MailboxPrimaryAddress', 'DisplayName', 'Upn', 'ExternalDirectoryObjectId', 'RiskLevel'],
  MailCluster: ['NetworkMessageIds', 'CountByDeliveryStatus', 'CountByThreatType', 'CountByProtectionStatus', 'Threats', 'Query', 'QueryTime', 'MailCount', 'IsVolumeAnomaly', 'Source', 'ClusterSourceIdentifier', 'ClusterSourceType', 'ClusterQueryStartTime', 'ClusterQueryEndTime', 'ClusterGroup'],
  MailMessage: ['Recipient', 'Urls', 'Threats', 'Sender', 'P1Sender', 'P1SenderDisplayName', 'P1SenderDomain', 'SenderIP', 'P2Sender', 'P2SenderDisplayName', 'P2SenderDomain', 'ReceivedDate', 'NetworkMessageId', 'InternetMessageId', 'Subject', 'BodyFingerprintBin1', 'BodyFingerprintBin2', 'BodyFingerprintBin3', 'BodyFingerprintBin4', 'BodyFingerprintBin5', 'AntispamDirection', 'DeliveryAction', 'DeliveryLocation', 'Language', 'ThreatDetectionMethods'],
  SubmissionMail: ['NetworkMessageId', 'Timestamp', 'Recipient', 'Sender', 'SenderIp', 'Subject', 'ReportType', 'SubmissionId', 'SubmissionDate', 'Submitter'],
};

const defenderEntities = {
  accounts: ['aadUserIdColumn', 'dnsDomainColumn', 'nameColumn', 'ntDomainColumn', 'sidColumn', 'upnColumn', 'upnSuffixColumn'],
  amazonResources: ['amazonResourceIdColumn'],
  azureResources: ['resourceIdColumn'],
  cloudApplications: ['appIdColumn', 'nameColumn'],
  dns: ['domainNameColumn', 'hostIPAddressColumn', 'serverIPColumn'],
  files: ['nameColumn', 'sha1Column', 'sha256Column'],
  googleCloudResources: ['fullResourceNameColumn'],
  hosts: ['deviceIdColumn', 'dnsDomainColumn', 'nameColumn', 'netBiosNameColumn', 'ntDomainColumn'],
  ips: ['addressColumn', 'scopeColumn'],
  mailClusters: ['queryColumn', 'sourceColumn'],
  mailMessages: ['networkMessageIdColumn', 'recipientColumn', 'senderColumn', 'subjectColumn'],
  mailboxes: ['primaryAddressColumn'],
  oAuthApplications: ['oAuthAppIdColumn'],
  processes: ['sha1Column', 'sha256Column'],
  registryValues: ['keyColumn', 'valueNameColumn'],
  securityGroups: ['distinguishedNameColumn', 'objectIdColumn', 'sidColumn'],
  urls: ['addressColumn'],
};

const columnObject = (keys, extra = {}, required = []) => ({
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  ...(required.length ? { required } : {}),
  properties: Object.fromEntries([...keys.map((k) => [k, column]), ...Object.entries(extra)]),
});

const deviceAction = columnObject(['deviceIdColumn'], {}, ['deviceIdColumn']);
const defenderActions = {
  isolateDevices: columnObject(['deviceIdColumn'], { isolationType: { enum: ['full', 'selective'] } }, ['deviceIdColumn', 'isolationType']),
  collectInvestigationPackages: deviceAction,
  initiateInvestigations: deviceAction,
  restrictAppExecutions: deviceAction,
  runAntivirusScans: deviceAction,
  stopAndQuarantineFiles: columnObject(['deviceIdColumn', 'sha1Column'], {}, ['deviceIdColumn', 'sha1Column']),
  allowFiles: columnObject(['sha1Column', 'sha256Column'], { deviceGroupNames: { type: 'array', items: { type: 'string', minLength: 1 } } }),
  blockFiles: columnObject(['sha1Column', 'sha256Column'], { deviceGroupNames: { type: 'array', items: { type: 'string', minLength: 1 } } }),
  disableUsers: columnObject(['accountSidColumn'], {}, ['accountSidColumn']),
  forceUserPasswordResets: columnObject(['accountSidColumn'], {}, ['accountSidColumn']),
  markUsersAsCompromised: columnObject(['accountObjectIdColumn'], {}, ['accountObjectIdColumn']),
  softDeleteEmails: columnObject(['networkMessageIdColumn', 'recipientColumn'], {}, ['networkMessageIdColumn', 'recipientColumn']),
  hardDeleteEmails: columnObject(['networkMessageIdColumn', 'recipientColumn'], {}, ['networkMessageIdColumn', 'recipientColumn']),
  moveEmailsToDeletedItems: columnObject(['networkMessageIdColumn', 'recipientColumn'], {}, ['networkMessageIdColumn', 'recipientColumn']),
  moveEmailsToInbox: columnObject(['networkMessageIdColumn', 'recipientColumn'], {}, ['networkMessageIdColumn', 'recipientColumn']),
  moveEmailsToJunk: columnObject(['networkMessageIdColumn', 'recipientColumn'], {}, ['networkMessageIdColumn', 'recipientColumn']),
};

const row = { type: 'object', description: 'One row: column name to value. AdditionalFields may be a YAML object.' };
const rowsOrFile = {
  oneOf: [
    { type: 'array', items: row },
    {
      type: 'object',
      additionalProperties: false,
      required: ['file'],
      properties: { file: { type: 'string', minLength: 1, description: 'Path, relative to the detection file, of a .jsonl, .csv or .json file of rows.' } },
    },
  ],
};

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://kql-dac.dev/schemas/detection.schema.json',
  title: 'kql-dac detection',
  description: 'One detection: metadata, ATT&CK mapping, one KQL query, per-platform settings and inline tests.',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'name', 'description', 'severity', 'status', 'author', 'version', 'mitre', 'query'],
  properties: {
    id: { type: 'string', format: 'uuid', description: 'Stable forever: it becomes the Sentinel rule name and the Defender rule id.' },
    name: { type: 'string', minLength: 3, maxLength: 256, description: 'Unique display name of the rule.' },
    description: { type: 'string', minLength: 10, maxLength: 5000 },
    severity: { enum: ['informational', 'low', 'medium', 'high'] },
    status: { enum: ['experimental', 'test', 'production', 'deprecated'] },
    author: { type: 'string', minLength: 1 },
    version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$', description: 'Semantic version a.b.c; it becomes the Sentinel templateVersion.' },
    created: { type: 'string', format: 'date' },
    modified: { type: 'string', format: 'date' },
    references: { type: 'array', items: { type: 'string', format: 'uri' } },
    tags: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[a-z0-9][a-z0-9._/-]*$' } },
    falsePositives: { type: 'array', items: { type: 'string', minLength: 1 } },
    mitre: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['technique'],
        properties: {
          technique: { type: 'string', pattern: '^T\\d{4}(\\.\\d{3})?$', description: 'ATT&CK technique or sub-technique id, e.g. T1071.001.' },
          tactic: {
            enum: ['reconnaissance', 'resource-development', 'initial-access', 'execution', 'persistence', 'privilege-escalation', 'defense-evasion', 'credential-access', 'discovery', 'lateral-movement', 'collection', 'command-and-control', 'exfiltration', 'impact'],
            description: 'ATT&CK tactic shortname; defaults to every tactic the technique belongs to.',
          },
        },
      },
    },
    query: { type: 'string', minLength: 1, maxLength: 10000, description: 'KQL. Written in the Defender dialect (Timestamp, AdditionalFields as JSON string) or portable to both.' },
    sentinel: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled'],
      properties: {
        enabled: { type: 'boolean' },
        kind: { enum: ['scheduled', 'nrt'], default: 'scheduled' },
        queryFrequency: duration('How often the rule runs (PT5M..P14D).'),
        queryPeriod: duration('How far back each run looks (PT5M..P14D, >= queryFrequency).'),
        triggerOperator: { enum: ['GreaterThan', 'LessThan', 'Equal', 'NotEqual'] },
        triggerThreshold: { type: 'integer', minimum: 0, maximum: 10000 },
        suppression: {
          type: 'object',
          additionalProperties: false,
          required: ['enabled'],
          properties: { enabled: { type: 'boolean' }, duration: duration('Suppression window (max PT24H).') },
        },
        eventGrouping: { enum: ['SingleAlert', 'AlertPerResult'] },
        entityMappings: {
          type: 'array',
          maxItems: 10,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['entityType', 'fieldMappings'],
            properties: {
              entityType: { enum: Object.keys(sentinelIdentifiers) },
              fieldMappings: {
                type: 'array',
                minItems: 1,
                maxItems: 3,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['identifier', 'columnName'],
                  properties: { identifier: { type: 'string' }, columnName: column },
                },
              },
            },
            allOf: Object.entries(sentinelIdentifiers).map(([type, ids]) => ({
              if: { type: 'object', properties: { entityType: { const: type } } },
              then: { properties: { fieldMappings: { type: 'array', items: { type: 'object', properties: { identifier: { enum: ids } } } } } },
            })),
          },
        },
        customDetails: {
          type: 'object',
          maxProperties: 20,
          propertyNames: { pattern: '^[a-zA-Z]\\w{0,19}$' },
          additionalProperties: column,
        },
        alertDetailsOverride: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: {
            alertDisplayNameFormat: { type: 'string', minLength: 1, maxLength: 256 },
            alertDescriptionFormat: { type: 'string', minLength: 1, maxLength: 5000 },
            alertTacticsColumnName: column,
            alertSeverityColumnName: column,
            alertDynamicProperties: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['alertProperty', 'value'],
                properties: {
                  alertProperty: { enum: ['AlertLink', 'ConfidenceLevel', 'ConfidenceScore', 'ExtendedLinks', 'ProductName', 'ProviderName', 'ProductComponentName', 'RemediationSteps', 'Techniques', 'SubTechniques'] },
                  value: column,
                },
              },
            },
          },
        },
        incident: {
          type: 'object',
          additionalProperties: false,
          required: ['createIncident'],
          properties: {
            createIncident: { type: 'boolean' },
            grouping: {
              type: 'object',
              additionalProperties: false,
              required: ['enabled'],
              properties: {
                enabled: { type: 'boolean' },
                reopenClosedIncident: { type: 'boolean' },
                lookbackDuration: duration('Grouping window (PT5M..P7D).'),
                matchingMethod: { enum: ['AllEntities', 'AnyAlert', 'Selected'] },
                groupByEntities: { type: 'array', uniqueItems: true, items: { enum: Object.keys(sentinelIdentifiers) } },
                groupByAlertDetails: { type: 'array', uniqueItems: true, items: { enum: ['DisplayName', 'Severity'] } },
                groupByCustomDetails: { type: 'array', uniqueItems: true, items: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    defender: {
      type: 'object',
      additionalProperties: false,
      required: ['enabled'],
      properties: {
        enabled: { type: 'boolean' },
        frequency: {
          enum: ['PT0S', 'PT1H', 'PT3H', 'PT12H', 'P1D'],
          description: 'How often the rule runs; PT0S is continuous (NRT).',
        },
        lookback: duration('Window each run evaluates (>= frequency; not allowed for continuous rules).'),
        alert: {
          type: 'object',
          additionalProperties: false,
          properties: {
            title: { type: 'string', minLength: 1, maxLength: 256, description: 'Alert title; up to 3 {{Column}} placeholders. Defaults to the detection name.' },
            description: { type: 'string', minLength: 1, maxLength: 5000, description: 'Alert description; defaults to the detection description.' },
            recommendedActions: { type: 'string', minLength: 1 },
          },
        },
        entityMappings: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: Object.fromEntries(
            Object.entries(defenderEntities).map(([k, cols]) => [k, { type: 'array', minItems: 1, items: columnObject(cols) }]),
          ),
        },
        customDetails: {
          type: 'object',
          maxProperties: 20,
          propertyNames: { pattern: '^[a-zA-Z]\\w{0,19}$' },
          additionalProperties: column,
        },
        automatedActions: {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: Object.fromEntries(Object.entries(defenderActions).map(([k, v]) => [k, { type: 'array', minItems: 1, items: v }])),
        },
        deviceGroups: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Restrict the rule to these MDE device groups.' },
      },
    },
    tests: {
      type: 'array',
      description: 'Unit tests run by `dac test` on fixture rows in the embedded KQL engine.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'now', 'expect'],
        properties: {
          name: { type: 'string', minLength: 1 },
          description: { type: 'string' },
          now: { type: 'string', format: 'date-time', description: 'Frozen clock for now() and ago().' },
          platforms: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ['defender', 'sentinel'] } },
          tables: { type: 'object', description: 'Rows per table name.', additionalProperties: rowsOrFile },
          externaldata: { type: 'object', description: 'Rows served for externaldata(...)[URL], keyed by URL.', additionalProperties: rowsOrFile },
          expect: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              count: { type: 'integer', minimum: 0 },
              // An empty list would assert nothing and let a test pass whatever the query returns.
              contains: { type: 'array', minItems: 1, items: row, description: 'Rows that must appear (compared on the columns given).' },
              excludes: { type: 'array', minItems: 1, items: row, description: 'Rows that must not appear (compared on the columns given).' },
              rows: { type: 'array', items: row, description: 'The whole output in order: as many rows, each matching on the columns given ([] = no rows).' },
            },
          },
        },
      },
    },
  },
};

writeFileSync(new URL('../schemas/detection.schema.json', import.meta.url), JSON.stringify(schema, null, 2) + '\n');

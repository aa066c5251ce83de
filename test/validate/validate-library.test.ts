import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateLibrary } from '../../src/validate/validate-library.ts';
import { mutate, only, tempLibrary, VALID_DETECTION } from './helpers.ts';

function validateOne(content: string | Buffer) {
  const dir = tempLibrary({ 'd.yaml': content });
  const file = join(dir, 'd.yaml');
  const result = validateLibrary([file]);
  return { result, file, diagnostics: result.diagnostics };
}

describe('validateLibrary: a clean detection', () => {
  it('reports nothing for a valid detection enabled on both platforms', () => {
    const { result } = validateOne(VALID_DETECTION);
    expect(result.diagnostics).toEqual([]);
    expect(result.detections).toHaveLength(1);
    expect([...result.detections[0]!.analyses.keys()]).toEqual(['defender', 'sentinel']);
  });
});

describe('file-level problems', () => {
  it('malformed YAML gives a yaml diagnostic at the broken line', () => {
    const { diagnostics, file } = validateOne(mutate('severity: medium', 'severity: [medium'));
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0]).toMatchObject({ file, severity: 'error' });
    expect(diagnostics[0]!.code).toMatch(/^yaml\//);
    expect(diagnostics[0]!.line).toBeGreaterThanOrEqual(5);
  });

  it('duplicate keys are an error at the second key', () => {
    const d = only(validateOne(mutate('status: production', 'status: production\nstatus: test')).diagnostics, 'yaml/duplicate-key');
    expect([d.line, d.column]).toEqual([7, 1]);
  });

  it('a YAML bomb is refused, not expanded', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) lines.push(`${'bcdefghij'[i]}: &${'bcdefghij'[i]} [${Array(9).fill('*' + 'abcdefghij'[i]).join(',')}]`);
    const { diagnostics } = validateOne(lines.join('\n') + '\n');
    expect(diagnostics.map((d) => d.code)).toContain('yaml/alias-limit');
  });

  it('a __proto__ key is reported as an unknown field and pollutes nothing', () => {
    const d = only(validateOne(mutate('author: kql-dac tests', 'author: kql-dac tests\n__proto__:\n  polluted: true')).diagnostics, 'schema/additionalProperties');
    expect(d.path).toBe('/__proto__');
    expect(d.line).toBe(8);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a file over 1 MB is refused with a hint', () => {
    const d = only(validateOne(VALID_DETECTION + '#'.repeat(5 * 1024 * 1024)).diagnostics, 'file/too-large');
    expect(d.hint).toMatch(/test\/fixtures/);
  });

  it('binary junk is refused', () => {
    only(validateOne(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0xff])).diagnostics, 'file/binary');
  });

  it('invalid UTF-8 is refused', () => {
    only(validateOne(Buffer.from([0x69, 0x64, 0x3a, 0x20, 0xc3, 0x28])).diagnostics, 'file/encoding');
  });

  it('a top-level list is not a detection', () => {
    only(validateOne('- a\n- b\n').diagnostics, 'schema/type');
  });
});

describe('schema diagnostics', () => {
  it('an unknown field gets a did-you-mean hint at the key position', () => {
    const d = only(validateOne(mutate('  queryPeriod: PT1H', '  queryPeriodd: PT1H')).diagnostics, 'schema/additionalProperties');
    expect(d).toMatchObject({ line: 22, column: 3, path: '/sentinel/queryPeriodd', hint: 'did you mean `queryPeriod`?' });
  });

  it('a missing required field names it', () => {
    const d = only(validateOne(mutate('author: kql-dac tests\n', '')).diagnostics, 'schema/required');
    expect(d.message).toContain('`author`');
  });

  it('a bad enum value suggests the closest', () => {
    const d = only(validateOne(mutate('severity: medium', 'severity: meduim')).diagnostics, 'schema/enum');
    expect(d).toMatchObject({ line: 5, column: 11, hint: 'did you mean `medium`?' });
  });

  it('a non-ISO duration explains the format', () => {
    const d = only(validateOne(mutate('queryFrequency: PT1H', 'queryFrequency: 1h')).diagnostics, 'schema/pattern');
    expect(d).toMatchObject({ line: 21, path: '/sentinel/queryFrequency' });
    expect(d.hint).toMatch(/ISO-8601/);
  });

  it('a non-UUID id is rejected', () => {
    const d = only(validateOne(mutate('id: 3f1c2b9e-8d4a-4c6e-9b1a-2e5f7a9c0d11', 'id: my-rule')).diagnostics, 'schema/format');
    expect(d).toMatchObject({ line: 2, column: 5, path: '/id' });
  });

  it('an identifier that does not belong to the entity type is rejected', () => {
    const d = only(validateOne(mutate('identifier: HostName', 'identifier: Hostname')).diagnostics, 'schema/enum');
    expect(d.hint).toBe('did you mean `HostName`?');
  });
});

describe('ATT&CK diagnostics', () => {
  it('an unknown technique is an error', () => {
    const d = only(validateOne(mutate('technique: T1071.001', 'technique: T1071.999')).diagnostics, 'attack/unknown-technique');
    expect(d).toMatchObject({ line: 10, column: 16, severity: 'error' });
    expect(d.hint).toMatch(/T1071/);
  });

  it('a revoked technique names its replacement, following revoked-by chains', () => {
    const d = only(validateOne(mutate('  - technique: T1071.001\n    tactic: command-and-control', '  - technique: T1073')).diagnostics, 'attack/revoked-technique');
    expect(d.message).toContain('T1574.001');
    expect(d.hint).toBe('use `technique: T1574.001`');
  });

  it('a deprecated technique is a warning', () => {
    const d = only(validateOne(mutate('  - technique: T1071.001\n    tactic: command-and-control', '  - technique: T1062')).diagnostics, 'attack/deprecated-technique');
    expect(d.severity).toBe('warning');
  });

  it('a tactic the technique does not belong to is an error at the tactic', () => {
    const d = only(validateOne(mutate('tactic: command-and-control', 'tactic: exfiltration')).diagnostics, 'attack/tactic-mismatch');
    expect(d).toMatchObject({ line: 11, column: 13, path: '/mitre/0/tactic' });
  });
});

describe('KQL diagnostics', () => {
  it('an unknown column is reported at its line and column inside the YAML block', () => {
    const d = only(validateOne(mutate('| where UserAgent startswith "curl/"', '| where UserAgnt startswith "curl/"')).diagnostics, 'kql/KS142');
    expect(d).toMatchObject({ line: 17, column: 11, path: '/query', severity: 'error' });
    expect(d.message).toMatch(/UserAgnt.*\[defender, sentinel\]/);
  });

  it('a constant regular expression RE2 rejects is an error at the pattern, reported once for both platforms', () => {
    const { diagnostics } = validateOne(mutate('| where UserAgent startswith "curl/"', '| where UserAgent matches regex "^curl(?=/)" or UserAgent == extract("(a", 1, UserAgent)'));
    const regex = diagnostics.filter((d) => d.code === 'kql/invalid-regex');
    expect(regex.map((d) => [d.line, d.column, d.severity])).toEqual([[17, 35, 'error'], [17, 72, 'error']]);
    expect(regex[0]!.message).toMatch(/invalid regular expression "\^curl\(\?=\/\)"/);
    expect(regex[0]!.hint).toMatch(/RE2: no lookarounds/);
    expect(validateOne(mutate('| where UserAgent startswith "curl/"', '| where UserAgent matches regex @"(?i)^curl/\d"')).diagnostics.filter((d) => d.code === 'kql/invalid-regex')).toEqual([]);
  });

  it('a query written as a quoted or folded scalar maps positions exactly when written verbatim, else to the query itself', () => {
    const query = (style: string) => mutate(VALID_DETECTION.slice(VALID_DETECTION.indexOf('query: |'), VALID_DETECTION.indexOf('sentinel:')), style);
    const regexAt = (text: string) => validateOne(text).diagnostics.filter((d) => d.code === 'kql/invalid-regex').map((d) => [d.line, d.column]);
    const q = 'DeviceNetworkEvents | where ActionType == "HttpConnectionInspected" | where RemoteUrl matches regex "(?=x)" | project Timestamp, DeviceId, DeviceName, ReportId, RemoteIP';
    // Single line, verbatim: the pattern's own column.
    expect(regexAt(query(`query: '${q}'\n`))).toEqual([[12, 9 + q.indexOf('"(?=x)"')]]);
    // Escapes (\n) and folding change the text: the query's own position, never a line of another field.
    expect(regexAt(query(`query: "${q.replaceAll('"', '\\"').replaceAll(' | ', '\\n  | ')}"\n`))).toEqual([[12, 8]]);
    expect(regexAt(query(`query: >-\n  ${q.replaceAll(' | ', '\n  | ')}\n`))).toEqual([[12, 8]]);
  });

  it('AdditionalFields property access is what the Defender build wraps in todynamic(): a warning there, as build and tests see it', () => {
    const r = validateOne(mutate('| extend UserAgent = tostring(json.user_agent)', '| extend UserAgent = tostring(AdditionalFields.user_agent)'));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const d = only(r.diagnostics, 'kql/defender-dynamic-access');
    expect(d).toMatchObject({ severity: 'warning', line: 16, column: 33 });
    expect(d.message).toMatch(/todynamic\(AdditionalFields\) around dynamic property access \(1 reference\) \[defender\]$/);
    expect(d.hint).toMatch(/todynamic\(AdditionalFields\)\.name/);
  });

  it('an error in the Sentinel query after the Timestamp rewrite points at the source text', () => {
    const d = only(validateOne(mutate('| project Timestamp, DeviceId', '| where Timestamp > ago(1h) and Nope == 1\n  | project Timestamp, DeviceId')).diagnostics, 'kql/KS142');
    expect(d.message).toMatch(/'Nope'.*\[defender, sentinel\]$/);
    expect([d.line, d.column]).toEqual([18, 35]); // the same spot on both platforms, though Sentinel binds "TimeGenerated" there
  });

  it("Defender's FileProfile() binds with its documented columns and a bare key column; on Sentinel it is explained", () => {
    const q = mutate('| where UserAgent startswith "curl/"', '| invoke FileProfile(InitiatingProcessSHA256, 1000)\n  | where GlobalPrevalence < 50 and Signer == ""');
    const kql = validateOne(q).diagnostics.filter((d) => d.code.startsWith('kql/'));
    expect(kql.every((d) => d.message.endsWith('[sentinel]'))).toBe(true);
    expect(kql.find((d) => d.code === 'kql/KS211')!.hint).toMatch(/exists only in Defender advanced hunting/);
    const bad = only(validateOne(mutate('| where UserAgent startswith "curl/"', '| invoke FileProfile(Sha256)')).diagnostics.filter((d) => d.message.includes('[defender]')), 'kql/KS142');
    expect(bad.message).toMatch(/FileProfile\(\): 'Sha256' is not a column of its input/);
  });

  it('TimeGenerated is unknown on Defender with a hint to use Timestamp', () => {
    const d = only(validateOne(mutate('| project Timestamp, DeviceId', '| project TimeGenerated, Timestamp, DeviceId')).diagnostics, 'kql/KS142');
    expect(d.hint).toMatch(/use Timestamp/);
  });

  it('a table that exists only on the other platform is explained', () => {
    const q = mutate('  DeviceNetworkEvents\n  | where ActionType', '  DeviceTvmSoftwareVulnerabilities\n  | where ActionType');
    const diagnostics = validateOne(q).diagnostics.filter((x) => x.code === 'kql/KS204');
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.hint).toMatch(/exists only on defender/);
  });
});

describe('platform rules', () => {
  it('Defender requires Timestamp, DeviceId and ReportId for Device* tables', () => {
    const d = only(validateOne(mutate('| project Timestamp, DeviceId, DeviceName, ReportId,', '| project Timestamp, DeviceId, DeviceName,')).diagnostics, 'platform/defender-required-columns');
    expect(d.message).toContain('`ReportId`');
    expect([d.line, d.path]).toEqual([12, '/query']);
  });

  it('a Sentinel entity mapping must name a returned column', () => {
    const d = only(validateOne(mutate('columnName: DeviceName', 'columnName: DevName')).diagnostics, 'platform/sentinel-unknown-column');
    expect(d).toMatchObject({ line: 27, column: 23, path: '/sentinel/entityMappings/0/fieldMappings/0/columnName', hint: 'did you mean `DeviceName`?' });
  });

  it('a Defender custom detail must name a returned column', () => {
    const text = VALID_DETECTION + '  customDetails:\n    Agent: UserAgentString\n';
    const d = only(validateOne(text).diagnostics, 'platform/defender-unknown-column');
    expect(d.path).toBe('/defender/customDetails/Agent');
  });

  it('queryPeriod shorter than queryFrequency is an error', () => {
    const d = only(validateOne(mutate('queryPeriod: PT1H', 'queryPeriod: PT30M')).diagnostics, 'platform/sentinel-schedule');
    expect(d).toMatchObject({ line: 22, path: '/sentinel/queryPeriod' });
  });

  it('NRT Sentinel rules cannot set a schedule', () => {
    const diagnostics = validateOne(mutate('  enabled: true\n  queryFrequency', '  enabled: true\n  kind: nrt\n  queryFrequency')).diagnostics;
    expect(diagnostics.filter((x) => x.code === 'platform/sentinel-nrt').map((x) => x.path)).toEqual(['/sentinel/queryFrequency', '/sentinel/queryPeriod']);
  });

  it('more than three alert placeholders are rejected', () => {
    const text = mutate('  customDetails:\n    UserAgent: UserAgent\n', '  alertDetailsOverride:\n    alertDisplayNameFormat: "{{DeviceName}} {{RemoteIP}} {{UserAgent}} {{DeviceId}}"\n');
    only(validateOne(text).diagnostics, 'platform/sentinel-too-many-placeholders');
  });

  it('Defender lookback shorter than frequency is an error', () => {
    const d = only(validateOne(mutate('  frequency: PT1H', '  frequency: PT3H\n  lookback: PT1H')).diagnostics, 'platform/defender-lookback');
    expect(d.path).toBe('/defender/lookback');
  });
});

describe('library rules', () => {
  it('duplicate ids and names across files are errors pointing at the first file', () => {
    const dir = tempLibrary({ 'a.yaml': VALID_DETECTION, 'b/b.yaml': VALID_DETECTION });
    const result = validateLibrary([dir]);
    const id = only(result.diagnostics, 'library/duplicate-id');
    only(result.diagnostics, 'library/duplicate-name');
    expect(id.file).toMatch(/b\.yaml$/);
    expect(id.message).toMatch(/a\.yaml:2/);
  });
});

import { mkdtempSync, readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildLibrary, sentinelRestBody, writeBuild } from '../../src/build/index.ts';
import { contentHash } from '../../src/build/manifest.ts';
import { queryForPlatform } from '../../src/build/dialect.ts';
import { checkArtifactContract } from '../../src/build/contracts.ts';
import { formatIsoDuration } from '../../src/build/template-helpers.ts';
import type { Detection } from '../../src/detection/types.ts';
import { byName, library, loaded } from './helpers.ts';
import { stringify } from 'yaml';

const lib = library();

describe('building the bundled library', () => {
  const result = buildLibrary(lib);

  it('renders every enabled platform of every detection without diagnostics', () => {
    expect(result.diagnostics).toEqual([]);
    const expected = lib.reduce((n, d) => n + (d.detection.sentinel?.enabled ? 1 : 0) + (d.detection.defender?.enabled ? 1 : 0), 0);
    expect(result.artifacts).toHaveLength(expected);
  });

  it('is deterministic: a second build writes identical bytes and hashes', () => {
    const a = mkdtempSync(join(tmpdir(), 'dac-build-a-'));
    const b = mkdtempSync(join(tmpdir(), 'dac-build-b-'));
    writeBuild(result, a);
    writeBuild(buildLibrary(library()), b);
    for (const dir of ['sentinel', 'defender']) {
      for (const f of readdirSync(join(a, dir))) expect(readFileSync(join(b, dir, f), 'utf8')).toBe(readFileSync(join(a, dir, f), 'utf8'));
    }
    expect(readFileSync(join(b, 'manifest.json'), 'utf8')).toBe(readFileSync(join(a, 'manifest.json'), 'utf8'));
  });

  it('the manifest lists every artifact with the hash of its bytes, sorted by path', () => {
    const { manifest } = result;
    expect(manifest.schemaVersion).toBe(1);
    expect(manifest.attackVersion).toBe('18.1');
    expect(manifest.artifacts.map((a) => a.path)).toEqual([...manifest.artifacts.map((a) => a.path)].sort());
    for (const entry of manifest.artifacts) {
      const artifact = result.artifacts.find((a) => a.path === entry.path)!;
      expect(entry.hash).toBe(contentHash(artifact.content));
      expect(artifact.content.endsWith('}\n')).toBe(true);
    }
  });

  it('a changed detection changes only its own artifacts hashes', () => {
    const changed = lib.map((d) => (d.detection.name === 'Internal ping sweep' ? { ...d, detection: { ...d.detection, description: d.detection.description + ' Changed.' } } : d));
    const after = buildLibrary(changed).manifest.artifacts;
    const diff = after.filter((e, i) => e.hash !== result.manifest.artifacts[i]!.hash).map((e) => e.path).sort();
    expect(diff).toEqual(['defender/internal-ping-sweep.json', 'sentinel/internal-ping-sweep.json']);
  });

  it('detections whose names slug alike get their id in the path, whatever the load order', () => {
    const a = byName('Internal ping sweep');
    const b = loaded({ ...a.detection, id: 'abcdef01-2345-4678-9abc-def012345678', name: 'Internal ping-sweep' });
    const paths = (list: typeof lib) => buildLibrary(list).artifacts.map((x) => x.path).sort();
    const expected = [`defender/internal-ping-sweep-${a.detection.id.slice(0, 8)}.json`, 'defender/internal-ping-sweep-abcdef01.json', `sentinel/internal-ping-sweep-${a.detection.id.slice(0, 8)}.json`, 'sentinel/internal-ping-sweep-abcdef01.json'].sort();
    expect(paths([a, b])).toEqual(expected);
    expect(paths([b, a])).toEqual(expected);
  });

  it('removes artifacts of a previous build that are no longer produced', () => {
    const out = mkdtempSync(join(tmpdir(), 'dac-build-stale-'));
    writeBuild(result, out);
    writeFileSync(join(out, 'sentinel', 'hand-made.json'), '{}');
    writeBuild(buildLibrary(lib.filter((d) => d.detection.name !== 'Internal ping sweep')), out);
    expect(existsSync(join(out, 'sentinel', 'internal-ping-sweep.json'))).toBe(false);
    expect(existsSync(join(out, 'sentinel', 'hand-made.json'))).toBe(true);
  });
});

describe('Sentinel translation', () => {
  const artifactOf = (d: ReturnType<typeof byName>) => buildLibrary([d]).artifacts.find((a) => a.platform === 'sentinel')!;

  it('uses the API spellings, splits techniques and sub-techniques, names the rule by detection id', () => {
    const d = byName('SSH brute force from a device');
    const body = sentinelRestBody(artifactOf(d).json);
    expect(body.kind).toBe('Scheduled');
    expect(body.properties).toMatchObject({
      severity: 'High', tactics: ['CredentialAccess', 'LateralMovement'], techniques: ['T1021', 'T1110'], subTechniques: ['T1021.004'],
      queryFrequency: 'PT1H', queryPeriod: 'PT1H', triggerOperator: 'GreaterThan', triggerThreshold: 0,
      suppressionEnabled: true, suppressionDuration: 'PT5H', eventGroupingSettings: { aggregationKind: 'AlertPerResult' },
    });
    const resource = (artifactOf(d).json as { resources: { name: string }[] }).resources[0]!;
    expect(resource.name).toBe(`[concat(parameters('workspace'),'/Microsoft.SecurityInsights/${d.detection.id}')]`);
  });

  it('NRT rules carry no schedule or trigger', () => {
    const base = byName('Internal ping sweep').detection;
    const nrt: Detection = { ...base, sentinel: { enabled: true, kind: 'nrt', entityMappings: base.sentinel!.entityMappings! } };
    const body = sentinelRestBody(artifactOf(loaded(nrt)).json);
    expect(body.kind).toBe('NRT');
    for (const k of ['queryFrequency', 'queryPeriod', 'triggerOperator', 'triggerThreshold']) expect(body.properties).not.toHaveProperty(k);
  });

  it('rewrites Timestamp to TimeGenerated through the syntax tree, leaving strings and comments alone', () => {
    const q = 'DeviceNetworkEvents\n// Timestamp in a comment\n| where Timestamp > ago(1h) and RemoteUrl != "Timestamp"\n| summarize arg_max(Timestamp, ReportId) by DeviceId\n| project Timestamp, DeviceId, Note = "Timestamp"';
    const out = queryForPlatform(q, 'sentinel');
    expect(out.diagnostics).toEqual([]);
    expect(out.query).toBe('DeviceNetworkEvents\n// Timestamp in a comment\n| where TimeGenerated > ago(1h) and RemoteUrl != "Timestamp"\n| summarize arg_max(TimeGenerated, ReportId) by DeviceId\n| project TimeGenerated, DeviceId, Note = "Timestamp"');
    expect(out.rewrites).toEqual(['Timestamp → TimeGenerated (3 references)']);
    expect(queryForPlatform(q, 'defender').query).toBe(q);
    // Errors in the rewritten query map back to the source offset (TimeGenerated is 4 characters longer).
    const broken = 'DeviceNetworkEvents\n| where Timestamp > ago(1h) and Timestamp < now()\n| where NoSuchColumn == 1';
    const rewritten = queryForPlatform(broken, 'sentinel');
    expect(rewritten.diagnostics).toHaveLength(1);
    expect(rewritten.query.indexOf('NoSuchColumn')).toBe(broken.indexOf('NoSuchColumn') + 8);
    expect(rewritten.sourceOffset(rewritten.diagnostics[0]!.start)).toBe(broken.indexOf('NoSuchColumn'));
    expect(rewritten.sourceOffset(broken.indexOf('Timestamp') + 5)).toBe(broken.indexOf('Timestamp'));
    const sentinelOnly = 'SigninLogs | where TimeGenerated > ago(1h)';
    expect(queryForPlatform(sentinelOnly, 'sentinel')).toMatchObject({ query: sentinelOnly, rewrites: [] });
  });
});

describe('Defender translation', () => {
  it('emits the current Graph detectionRule shape, never the deprecated fields', () => {
    const d = byName('CVE exploit signature against a device vulnerable to that CVE');
    const [artifact] = buildLibrary([d]).artifacts;
    expect(artifact!.platform).toBe('defender');
    const body = artifact!.json as Record<string, any>;
    expect(body.id).toBe(`dac-${d.detection.id}`);
    expect(body.status).toBe('enabled');
    expect(body.schedule).toEqual({ frequency: 'PT1H' });
    expect(body.detectionAction.alertTemplate.severity).toBe('high');
    expect(body.detectionAction.alertTemplate.tactics).toEqual([
      { tactic: 'InitialAccess', techniques: [{ technique: 'T1190', subTechniques: [] }] },
      { tactic: 'LateralMovement', techniques: [{ technique: 'T1210', subTechniques: [] }] },
    ]);
    expect(body.detectionAction.automatedActions).toEqual({ collectInvestigationPackages: [{ deviceIdColumn: 'DeviceId' }] });
    const text = artifact!.content;
    for (const deprecated of ['isEnabled', '"period"', 'category', 'mitreTechniques', 'impactedAssets', 'responseActions']) expect(text).not.toContain(deprecated);
  });

  it('wraps AdditionalFields (a JSON string on Defender) in todynamic() where a query reads its properties directly', () => {
    const q = 'DeviceNetworkEvents\n| where Timestamp > ago(1h)\n| extend cmd = tostring(AdditionalFields.command), arg = AdditionalFields["arg"], ok = todynamic(AdditionalFields).user\n| where Note != "AdditionalFields.x" // AdditionalFields.y\n| project AdditionalFields, cmd, arg, ok';
    const withNote = q.replace('| where Note', '| extend Note = "n"\n| where Note');
    const out = queryForPlatform(withNote, 'defender');
    expect(out.diagnostics).toEqual([]);
    expect(out.query).toBe(withNote.replace('tostring(AdditionalFields.command)', 'tostring(todynamic(AdditionalFields).command)').replace('AdditionalFields["arg"]', 'todynamic(AdditionalFields)["arg"]'));
    expect(out.rewrites).toEqual(['todynamic(AdditionalFields) around dynamic property access (2 references)']);
    // Sentinel's AdditionalFields is dynamic: the query is left as written there (apart from the time column).
    expect(queryForPlatform(withNote, 'sentinel').query).toContain('tostring(AdditionalFields.command), arg = AdditionalFields["arg"]');
    const base = byName('Internal ping sweep').detection;
    const built = buildLibrary([loaded({ ...base, query: withNote })]);
    expect(built.diagnostics).toEqual([]);
    const defender = built.artifacts.find((a) => a.platform === 'defender')!.json as { queryCondition: { queryText: string } };
    expect(defender.queryCondition.queryText).toBe(out.query);
  });

  it('continuous (NRT) rules have frequency PT0S and no lookback; sub-techniques nest under their parent', () => {
    const base = byName('Rare outbound HTTP user agent').detection;
    const body = buildLibrary([loaded({ ...base, sentinel: { enabled: false }, defender: { ...base.defender!, frequency: 'PT3H', lookback: 'PT12H' } })]).artifacts[0]!.json as Record<string, any>;
    expect(body.schedule).toEqual({ frequency: 'PT3H', lookback: 'PT12H' });
    expect(body.detectionAction.alertTemplate.tactics).toEqual([{ tactic: 'CommandAndControl', techniques: [{ technique: 'T1071', subTechniques: ['T1071.001'] }] }]);
  });
});

describe('templates and contracts', () => {
  it('an organisation template can change naming, and an invalid artifact fails with the offending field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dac-templates-'));
    mkdirSync(join(dir, 'defender'));
    writeFileSync(join(dir, 'defender', 'detection-rule.json.hbs'), '{{#with rule.body as |b|}}{"id": {{json b.id}}, "displayName": {{json (concat "[SOC] " b.displayName)}}, "status": {{json b.status}}, "queryCondition": {{json b.queryCondition}}, "schedule": {{json b.schedule}}, "detectionAction": {{json b.detectionAction}} }{{/with}}');
    const d = byName('CVE exploit signature against a device vulnerable to that CVE');
    const ok = buildLibrary([d], { templatesDir: dir });
    expect(ok.diagnostics).toEqual([]);
    expect((ok.artifacts[0]!.json as { displayName: string }).displayName).toBe('[SOC] CVE exploit signature against a device vulnerable to that CVE');

    writeFileSync(join(dir, 'defender', 'detection-rule.json.hbs'), '{{#with rule.body as |b|}}{"id": {{json b.id}}, "displayName": {{json b.displayName}}, "isEnabled": true, "status": {{json b.status}}, "queryCondition": {{json b.queryCondition}}, "schedule": {"period": "1H"}, "detectionAction": {{json b.detectionAction}} }{{/with}}');
    const bad = buildLibrary([d], { templatesDir: dir });
    expect(bad.artifacts).toEqual([]);
    const messages = bad.diagnostics.map((x) => x.message).join('\n');
    expect(messages).toMatch(/defender\/cve-exploit-signature.*\.json: \/: must NOT have additional properties `isEnabled`/);
    expect(messages).toMatch(/\/schedule: must NOT have additional properties `period`/);
    expect(bad.diagnostics[0]).toMatchObject({ code: 'build/defender-contract', severity: 'error' });
  });

  it('a template that does not produce JSON fails naming the template', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dac-templates-'));
    mkdirSync(join(dir, 'sentinel'));
    writeFileSync(join(dir, 'sentinel', 'alert-rule.json.hbs'), '{ "name": {{rule.ruleName}} }');
    const r = buildLibrary([byName('Internal ping sweep')], { templatesDir: dir });
    expect(r.diagnostics.find((x) => x.code === 'build/template')!.message).toMatch(/^sentinel\/internal-ping-sweep\.json: .*alert-rule\.json\.hbs produced invalid JSON/);
  });

  it('a query written with TimeGenerated fails the Defender artifact with a hint to use Timestamp', () => {
    const base = byName('Internal ping sweep').detection;
    const r = buildLibrary([loaded({ ...base, query: base.query.replaceAll('Timestamp', 'TimeGenerated') })]);
    const d = r.diagnostics.find((x) => x.code === 'build/defender-query')!;
    expect(d.severity).toBe('error');
    expect(d.hint).toMatch(/use Timestamp, the Sentinel build renames it/);
    expect(r.artifacts.map((a) => a.platform)).toEqual(['sentinel']);
  });

  it('reports a contract violation at the detection field that causes it', () => {
    const base = byName('SSH brute force from a device').detection;
    const r = buildLibrary([loaded({ ...base, sentinel: { ...base.sentinel!, queryFrequency: 'PT2H', queryPeriod: 'PT1H' } })]);
    const d = r.diagnostics.find((x) => x.code === 'build/sentinel-contract')!;
    expect(d).toMatchObject({ path: '/sentinel/queryFrequency', message: expect.stringMatching(/\/queryFrequency: queryFrequency is longer than queryPeriod$/) });
    const lines = stringify({ ...base, sentinel: { ...base.sentinel!, queryFrequency: 'PT2H', queryPeriod: 'PT1H' } }).split('\n');
    expect(lines[d.line - 1]).toMatch(/^\s+queryFrequency: PT2H$/);
    expect(r.artifacts.map((a) => a.platform)).toEqual(['defender']);
    const title = '{{DeviceName}} {{RemoteIP}} {{LocalIP}} {{FailedSessions}}';
    const many = buildLibrary([loaded({ ...base, defender: { ...base.defender!, alert: { ...base.defender!.alert, title } } })]);
    expect(many.diagnostics.map((x) => [x.code, x.path])).toEqual([['build/defender-contract', '/defender/alert/title']]);
  });

  it('rejects more than 3 distinct {{column}} placeholders and a frequency longer than the period', () => {
    const d = byName('SSH brute force from a device');
    const built = buildLibrary([d]).artifacts;
    const sentinel = structuredClone(built.find((a) => a.platform === 'sentinel')!.json) as { resources: { properties: Record<string, any> }[] };
    const p = sentinel.resources[0]!.properties;
    p.alertDetailsOverride = { alertDisplayNameFormat: '{{A}} {{B}} {{C}} {{A}}', alertDescriptionFormat: '{{A}} {{B}} {{C}} {{D}}' };
    p.queryFrequency = 'P1D';
    expect(checkArtifactContract('sentinel', sentinel)).toEqual([
      { path: '/resources/0/properties/queryFrequency', message: 'queryFrequency is longer than queryPeriod' },
      { path: '/resources/0/properties/alertDetailsOverride/alertDescriptionFormat', message: '4 distinct {{column}} placeholders; at most 3 are allowed' },
    ]);
    const defender = structuredClone(built.find((a) => a.platform === 'defender')!.json) as { detectionAction: { alertTemplate: Record<string, string> } };
    defender.detectionAction.alertTemplate.title = '{{DeviceName}} {{RemoteIP}} {{LocalIP}} {{RemotePort}}';
    expect(checkArtifactContract('defender', defender)).toEqual([{ path: '/detectionAction/alertTemplate/title', message: '4 distinct {{column}} placeholders; at most 3 are allowed' }]);
  });

  it('checks Sentinel duration ranges: PT5M–P14D, PT1H frequency from a 2-day period on, suppression ≤ P1D', () => {
    const built = buildLibrary([byName('SSH brute force from a device')]).artifacts;
    const withSchedule = (queryFrequency: string, queryPeriod: string, suppressionDuration = 'PT5H') => {
      const a = structuredClone(built.find((x) => x.platform === 'sentinel')!.json) as { resources: { properties: Record<string, any> }[] };
      Object.assign(a.resources[0]!.properties, { queryFrequency, queryPeriod, suppressionDuration });
      return checkArtifactContract('sentinel', a).map((v) => `${v.path.split('/').pop()}: ${v.message}`);
    };
    expect(withSchedule('PT5M', 'P14D', 'P1D')).toEqual(['queryFrequency: with a queryPeriod of 2 days or more, queryFrequency must be at least PT1H']);
    expect(withSchedule('PT1H', 'P2D', 'PT24H')).toEqual([]);
    expect(withSchedule('PT5M', 'P1D')).toEqual([]);
    const grouping = structuredClone(built.find((x) => x.platform === 'sentinel')!.json) as { resources: { properties: Record<string, any> }[] };
    grouping.resources[0]!.properties.incidentConfiguration.groupingConfiguration.lookbackDuration = 'P8D';
    expect(checkArtifactContract('sentinel', grouping)).toEqual([
      { path: '/resources/0/properties/incidentConfiguration/groupingConfiguration/lookbackDuration', message: 'incident grouping lookbackDuration must be between PT5M and P7D' },
    ]);
    expect(withSchedule('PT4M', 'P15D', 'PT25H')).toEqual([
      'queryFrequency: queryFrequency must be between PT5M and P14D',
      'queryPeriod: queryPeriod must be between PT5M and P14D',
      'queryFrequency: with a queryPeriod of 2 days or more, queryFrequency must be at least PT1H',
      'suppressionDuration: suppressionDuration must be at most P1D (24 hours)',
    ]);
  });

  it('rejects an NRT rule with a schedule, a sub-technique without its parent, and a lowercase Sentinel severity', () => {
    const d = byName('SSH brute force from a device');
    const built = buildLibrary([d]).artifacts;
    const sentinel = structuredClone(built.find((a) => a.platform === 'sentinel')!.json) as { resources: { kind: string; properties: Record<string, any> }[] };
    sentinel.resources[0]!.kind = 'NRT';
    sentinel.resources[0]!.properties.techniques = ['T1110'];
    sentinel.resources[0]!.properties.severity = 'high';
    const violations = checkArtifactContract('sentinel', sentinel);
    for (const field of ['queryFrequency', 'queryPeriod', 'triggerOperator', 'triggerThreshold']) {
      expect(violations).toContainEqual({ path: '/resources/0/properties', message: `must NOT have additional properties \`${field}\`` });
    }
    expect(violations).toContainEqual({ path: '/resources/0/properties/subTechniques', message: 'sub-technique T1021.004 without its parent in techniques' });
    expect(violations.some((v) => v.path === '/resources/0/properties/severity')).toBe(true);
    const defender = structuredClone(built.find((a) => a.platform === 'defender')!.json) as { detectionAction: { alertTemplate: { tactics: { techniques: { technique: string; subTechniques: string[] }[] }[] } } };
    const lateral = defender.detectionAction.alertTemplate.tactics.findIndex((t) => t.techniques.some((x) => x.subTechniques.length));
    defender.detectionAction.alertTemplate.tactics[lateral]!.techniques[0]!.technique = 'T1110';
    expect(checkArtifactContract('defender', defender)).toEqual([
      { path: `/detectionAction/alertTemplate/tactics/${lateral}/techniques/0/subTechniques`, message: 'sub-technique T1021.004 is not under its parent technique T1110' },
    ]);
  });

  it('formats ISO-8601 durations canonically', () => {
    expect([0, 300_000, 3_600_000, 86_400_000, 90_000_000, 5_400_000].map(formatIsoDuration)).toEqual(['PT0S', 'PT5M', 'PT1H', 'P1D', 'P1DT1H', 'PT1H30M']);
  });
});

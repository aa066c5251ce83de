import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildLibrary, sentinelRestBody } from '../../src/build/index.ts';
import { queryForPlatform } from '../../src/build/dialect.ts';
import { importAzureSentinelRule, shorthandToIso, tacticShortname } from '../../src/import/azure-sentinel.ts';
import { repoPath } from '../../src/paths.ts';
import { loaded } from '../build/helpers.ts';
import { attackCatalog } from '../../src/attack/catalog.ts';

// Third-party content (read by tests only, never by the product): the Azure-Sentinel rules of the shared corpus.
const CORPUS = repoPath('../shared/corpus/Azure__Azure-Sentinel');
const hasCorpus = existsSync(CORPUS);
if (!hasCorpus) console.warn(`\n!! import round-trip over the Azure-Sentinel corpus SKIPPED: ${CORPUS} not found\n`);

// The count is asserted so that a regression (or an improvement) in the importer is noticed and documented.
// 112 files: 40 import, 59 are skipped (58 hunting queries, 1 moved-file stub), 13 analytic rules fail:
// 9 have no relevantTechniques, 1 has more than 3 identifiers in an entity mapping, 1 misspells
// `identifier`, 1 looks back 30 days (Sentinel allows 14), and 1 is invalid YAML (docs/import.md lists them).
const EXPECTED_CLEAN_IMPORTS = 40;
const EXPECTED_SKIPPED = 59;
const EXPECTED_FAILED = 13;

describe.skipIf(!hasCorpus)('Azure-Sentinel corpus: import then build carries every shared field', () => {
  const files = hasCorpus ? readdirSync(CORPUS).filter((f) => /\.ya?ml$/i.test(f)).sort() : [];
  const results = files.map((f) => ({ file: f, original: safeParse(readFileSync(join(CORPUS, f), 'utf8')), result: importAzureSentinelRule(readFileSync(join(CORPUS, f), 'utf8'), f) }));

  it('imports the analytic rules it can and states a reason for every other file', () => {
    const clean = results.filter((r) => r.result.detection);
    expect(clean).toHaveLength(EXPECTED_CLEAN_IMPORTS);
    for (const r of results.filter((x) => !x.result.detection)) expect(r.result.error, r.file).toMatch(/\w/);
    const skipped = results.filter((r) => r.result.skipped);
    const failed = results.filter((r) => !r.result.detection && !r.result.skipped);
    expect(skipped).toHaveLength(EXPECTED_SKIPPED);
    expect(failed).toHaveLength(EXPECTED_FAILED);
    // Every hunting query is skipped as one; only analytic-rule files can fail.
    for (const r of results.filter((x) => /Hunting Queries/.test(x.file))) expect(r.result, r.file).toMatchObject({ skipped: true, error: expect.stringMatching(/hunting query/) });
    for (const r of failed) expect(r.file).toMatch(/^Detections__|Analytic Rules/);
  });

  for (const { file, original, result } of results) {
    if (!result.detection || !original) continue;
    it(`round-trips ${file}`, () => {
      const build = buildLibrary([loaded(result.detection!, `detections/imported/${file}`)], { kqlErrorsAsWarnings: true });
      const artifact = build.artifacts.find((a) => a.platform === 'sentinel');
      expect(artifact, JSON.stringify(build.diagnostics.filter((d) => d.severity === 'error'))).toBeDefined();
      const { kind, properties: p } = sentinelRestBody(artifact!.json);
      const o = original;
      expect(kind.toLowerCase()).toBe(String(o.kind ?? 'Scheduled').toLowerCase());
      expect(p.displayName).toBe(o.name);
      expect(p.description).toBe(o.description);
      expect(p.severity).toBe(String(o.severity)[0]!.toUpperCase() + String(o.severity).slice(1).toLowerCase());
      // Azure-Sentinel queries are written for Sentinel (TimeGenerated): the dialect rewrite must leave them unchanged.
      expect(p.query).toBe(o.query);
      expect(queryForPlatform(o.query, 'sentinel').rewrites).toEqual([]);
      if (kind === 'Scheduled') {
        if (o.queryFrequency) expect(p.queryFrequency).toBe(shorthandToIso(o.queryFrequency));
        if (o.queryPeriod) expect(p.queryPeriod).toBe(shorthandToIso(o.queryPeriod));
        if (o.triggerThreshold !== undefined) expect(p.triggerThreshold).toBe(Number(o.triggerThreshold));
        if (o.triggerOperator) expect(p.triggerOperator).toBe({ gt: 'GreaterThan', lt: 'LessThan', eq: 'Equal', ne: 'NotEqual' }[String(o.triggerOperator).toLowerCase()] ?? o.triggerOperator);
      }
      const techniques: string[] = (o.relevantTechniques ?? []).map((t: string) => t.trim());
      expect(p.techniques).toEqual([...new Set(techniques.map((t) => t.split('.')[0]))].sort());
      expect(p.subTechniques).toEqual([...new Set(techniques.filter((t) => t.includes('.')))].sort());
      // Tactics: every original tactic that has a technique mapped under it is carried (the rest are reported).
      const carriedTactics = (o.tactics ?? []).filter((t: string) => techniques.some((id) => attackCatalog().technique(id)?.tactics.includes(tacticShortname(t))));
      expect(new Set(p.tactics as string[])).toEqual(new Set([...carriedTactics, ...(p.tactics as string[]).filter((t) => !(o.tactics ?? []).includes(t))]));
      for (const t of o.tactics ?? []) if (!carriedTactics.includes(t)) expect(result.dropped.map((d) => d.reason).join('\n')).toContain(`tactic ${t}`);
      expect(p.entityMappings).toEqual(o.entityMappings ?? []);
      expect(p.customDetails).toEqual(o.customDetails ?? {});
      if (o.alertDetailsOverride) {
        const { alertDynamicProperties, ...rest } = o.alertDetailsOverride;
        expect(p.alertDetailsOverride).toEqual({ ...rest, ...(alertDynamicProperties?.length ? { alertDynamicProperties } : {}) });
      }
      if (o.eventGroupingSettings) expect(p.eventGroupingSettings).toEqual(o.eventGroupingSettings);
      if (o.incidentConfiguration) {
        const g = o.incidentConfiguration.groupingConfiguration;
        expect((p.incidentConfiguration as { createIncident: boolean }).createIncident).toBe(o.incidentConfiguration.createIncident);
        if (g) expect((p.incidentConfiguration as { groupingConfiguration: unknown }).groupingConfiguration).toEqual({ ...g, lookbackDuration: shorthandToIso(g.lookbackDuration) });
      }
      if (o.suppressionDuration) expect(p.suppressionDuration).toBe(shorthandToIso(o.suppressionDuration));
      if (o.suppressionEnabled !== undefined) expect(p.suppressionEnabled).toBe(o.suppressionEnabled === true);
    });
  }
});

describe('importer units', () => {
  it('converts Azure-Sentinel shorthand durations', () => {
    expect(['5m', '60m', '1h', '5h', '24h', '48h', '1d', '14d'].map(shorthandToIso)).toEqual(['PT5M', 'PT1H', 'PT1H', 'PT5H', 'P1D', 'P2D', 'P1D', 'P14D']);
    expect(shorthandToIso('often')).toBeNull();
  });

  it('skips hunting queries and rejects rules without techniques, with reasons', () => {
    expect(importAzureSentinelRule('id: x\nquery: T\n', 'Hunting Queries/x.yaml')).toMatchObject({ skipped: true, error: expect.stringMatching(/hunting query/) });
    expect(importAzureSentinelRule('id: x\n  bad: [', 'Hunting Queries/broken.yaml').skipped).toBe(true);
    expect(importAzureSentinelRule('id: x\nname: moved\n', 'Detections/moved.yaml')).toMatchObject({ skipped: true, error: expect.stringMatching(/no `query` field/) });
    const noTechniques = `id: 8b3a2c1d-1111-4222-8333-944455556666\nname: n\ndescription: long enough description\nseverity: Low\nqueryFrequency: 1h\nqueryPeriod: 1h\ntriggerOperator: gt\ntriggerThreshold: 0\ntactics: [Impact]\nquery: SigninLogs\n`;
    const r = importAzureSentinelRule(noTechniques, 'rule.yaml');
    expect(r.detection).toBeNull();
    expect(r.skipped).toBeUndefined();
    expect(r.error).toMatch(/at least one ATT&CK technique/);
    expect(r.dropped.map((d) => d.field)).toContain('tactics[0]');
  });

  it('fails a rule outside Sentinel\'s schedule limits with the same reason the build gives', () => {
    const rule = (freq: string, period: string) => `id: 8b3a2c1d-1111-4222-8333-944455556666\nname: Long lookback\ndescription: long enough description\nseverity: Low\nqueryFrequency: ${freq}\nqueryPeriod: ${period}\ntriggerOperator: gt\ntriggerThreshold: 0\ntactics: [CredentialAccess]\nrelevantTechniques: [T1110]\nquery: SigninLogs\n`;
    expect(importAzureSentinelRule(rule('1d', '30d'), 'rule.yaml').error).toBe("outside Sentinel's limits: queryPeriod must be between PT5M and P14D (30d)");
    expect(importAzureSentinelRule(rule('5m', '2d'), 'rule.yaml').error).toBe("outside Sentinel's limits: with a queryPeriod of 2 days or more, queryFrequency must be at least PT1H (5m)");
    expect(importAzureSentinelRule(rule('1h', '14d'), 'rule.yaml').detection).not.toBeNull();
  });

  it('notes when the Sentinel build would rename Timestamp in an imported query', () => {
    const text = `id: 8b3a2c1d-1111-4222-8333-944455556666\nname: Device rule\ndescription: long enough description\nseverity: Low\nqueryFrequency: 1h\nqueryPeriod: 1h\ntriggerOperator: gt\ntriggerThreshold: 0\ntactics: [Execution]\nrelevantTechniques: [T1059]\nquery: DeviceProcessEvents | where Timestamp > ago(1h)\n`;
    expect(importAzureSentinelRule(text, 'rule.yaml').notes).toContain('the Sentinel build will rewrite Timestamp → TimeGenerated (1 reference) in this query (detections use the Defender dialect); check the time column');
    expect(importAzureSentinelRule(text.replace('Timestamp', 'TimeGenerated'), 'rule.yaml').notes).toEqual([]);
  });

  it('reports every field it cannot carry', () => {
    const text = `id: 8b3a2c1d-1111-4222-8333-944455556666\nname: Rule\ndescription: long enough description\nseverity: Medium\nrequiredDataConnectors: []\nqueryFrequency: 1h\nqueryPeriod: 1h\ntriggerOperator: gt\ntriggerThreshold: 0\ntactics: [CredentialAccess]\nrelevantTechniques: [T1110]\nquery: SigninLogs\nversion: 1.0.1\nkind: Scheduled\nmetadata: {source: {kind: Community}}\nsomethingNew: 1\n`;
    const r = importAzureSentinelRule(text, 'rule.yaml');
    expect(r.detection).toMatchObject({ status: 'experimental', mitre: [{ technique: 'T1110', tactic: 'credential-access' }], sentinel: { triggerOperator: 'GreaterThan', queryFrequency: 'PT1H' } });
    expect(r.dropped.map((d) => d.field).sort()).toEqual(['metadata', 'requiredDataConnectors', 'somethingNew']);
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function safeParse(text: string): any {
  try {
    return parse(text);
  } catch {
    return null;
  }
}

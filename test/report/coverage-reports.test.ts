import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLibrary } from '../../src/detection/library.ts';
import { createAjv } from '../../src/detection/schema-check.ts';
import { repoPath } from '../../src/paths.ts';
import { buildCoverageReports, compareCoverage, coverageDelta, detectionsAtRef, GitRefError } from '../../src/report/coverage/index.ts';
import { jsonForScript } from '../../src/report/coverage/render-html.ts';
import { runCli } from '../../src/cli/main.ts';
import { det } from './make-detection.ts';

const library = loadLibrary([repoPath('detections')]).detections.map((d) => ({ file: d.file, detection: d.detection }));
const validateLayer = createAjv().compile(JSON.parse(readFileSync(repoPath('schemas/navigator/layer-4.5.schema.json'), 'utf8')));

describe('coverage reports for the bundled library', () => {
  const reports = buildCoverageReports(library);

  it('all three Navigator layers validate against the layer 4.5 schema', () => {
    for (const name of ['attack-layer.json', 'attack-layer.sentinel.json', 'attack-layer.defender.json']) {
      const layer = JSON.parse(reports.files[name]!);
      expect(validateLayer(layer), `${name}: ${JSON.stringify(validateLayer.errors)}`).toBe(true);
      expect(layer.versions).toEqual({ attack: '18.1', navigator: '5.1.0', layer: '4.5' });
      expect(layer.domain).toBe('enterprise-attack');
      // Legend colours are the gradient colours at scores 1, 2 and 3 (evenly spaced over 0..maxValue).
      const { colors, minValue, maxValue } = layer.gradient;
      expect(maxValue - minValue).toBe(colors.length - 1);
      expect(layer.legendItems.map((l: { color: string }) => l.color)).toEqual(colors.slice(1));
    }
  });

  it('the main layer scores the seed techniques and names their detections', () => {
    const layer = JSON.parse(reports.files['attack-layer.json']!);
    const byId = (id: string) => layer.techniques.filter((t: { techniqueID: string }) => t.techniqueID === id);
    for (const id of ['T1071.001', 'T1105', 'T1110', 'T1048', 'T1018']) {
      const entries = byId(id).filter((t: { score?: number }) => t.score !== undefined);
      expect(entries.length, id).toBeGreaterThan(0);
      expect(entries[0].score).toBeGreaterThan(0);
      expect(entries[0].comment).toMatch(/detection/);
    }
    // The parent of a covered sub-technique is shown expanded.
    expect(byId('T1071').some((t: { showSubtechniques?: boolean }) => t.showSubtechniques)).toBe(true);
    const t1105 = byId('T1105')[0];
    expect(t1105.score).toBe(2);
    expect(t1105.metadata.filter((m: { name?: string }) => m.name === 'detection').map((m: { value: string }) => m.value).sort()).toEqual([
      'Executable downloaded over HTTP (network signature)', 'Executable or archive downloaded over plain HTTP',
    ]);
  });

  it('platform layers differ where detections are enabled on one side only', () => {
    const ids = (name: string) => new Set(JSON.parse(reports.files[name]!).techniques.map((t: { techniqueID: string }) => t.techniqueID));
    // CVE signatures joined with TVM are Defender-only; threat-intel matches are Sentinel-only.
    expect(ids('attack-layer.defender.json').has('T1210')).toBe(true);
    expect(ids('attack-layer.sentinel.json').has('T1210')).toBe(false);
    expect(ids('attack-layer.sentinel.json').has('T1071')).toBe(true);
  });

  it('coverage.md has a row for every tactic and names the test-status detections apart', () => {
    const md = reports.files['coverage.md']!;
    for (const tactic of ['Reconnaissance', 'Credential Access', 'Command and Control', 'Impact']) expect(md).toMatch(new RegExp(`^\\| ${tactic} \\| \\d+ / \\d+ \\|`, 'm'));
    expect(md).toMatch(/\| T1110 Brute Force \| credential-access \| SSH brute force from a device \|/);
  });
});

describe('coverage.md counting (in-test detections)', () => {
  // Active techniques per tactic in ATT&CK v18.1 (counted from shared/reference/attack/enterprise-attack.json):
  // credential-access 17, persistence 23.
  const prod = det([{ technique: 'T1110' }], { name: 'Brute force, production' });
  const trial = det([{ technique: 'T1110.001' }], { name: 'Password guessing, experimental', status: 'experimental' });
  const retired = det([{ technique: 'T1003' }], { name: 'Old credential dumping', status: 'deprecated' });
  const persistence = det([{ technique: 'T1078', tactic: 'persistence' }], { name: 'Valid accounts, persistence only' });
  const revoked = det([{ technique: 'T1073' }], { name: 'Uses a revoked technique' });
  const md = buildCoverageReports([prod, trial, retired, persistence, revoked]).files['coverage.md']!;

  it('per tactic: parents covered (directly or by a sub-technique) over active techniques, production apart', () => {
    // T1110 is covered by the production rule and by the experimental sub-technique rule: one technique, two detections.
    expect(md).toContain('| Credential Access | 1 / 17 | 1 | 2 |');
    expect(md).toContain('| Persistence | 1 / 23 | 1 | 1 |');
    // T1078 was mapped to persistence only, so its other tactics stay uncovered.
    expect(md).toContain('| Privilege Escalation | 0 / 14 | 0 | 0 |');
  });

  it('technique rows put production and test/experimental detections in separate columns', () => {
    expect(md).toContain('| T1110 Brute Force | credential-access | Brute force, production | — |');
    expect(md).toContain('| T1110.001 Password Guessing | credential-access | — | Password guessing, experimental (experimental) |');
  });

  it('deprecated detections are listed but not counted; revoked techniques are reported with their replacement', () => {
    expect(md).not.toMatch(/\| T1003 /);
    expect(md).toMatch(/## Detections not counted\n\n- Old credential dumping \(detections\/d\d+\.yaml\): deprecated/);
    expect(md).toMatch(/\*\*Uses a revoked technique\*\* .*T1073 is revoked; use T1574\.001/);
  });
});

describe('untrusted strings in reports', () => {
  const hostile = '</script><img src=x onerror=alert(1)><!-- | ** \u2028';
  const reports = buildCoverageReports([{ file: 'detections/evil.yaml', detection: { ...library[0]!.detection, name: hostile } }]);

  it('the HTML embeds names only inside escaped JSON', () => {
    const html = reports.files['coverage.html']!;
    expect(html).not.toContain('</script><img');
    expect(html).not.toContain('<img src=x');
    const json = /<script type="application\/json" id="coverage-data">(.*?)<\/script>/s.exec(html)![1]!;
    expect(JSON.parse(json).detections[0].name).toBe(hostile);
    expect(jsonForScript({ a: '</script>' })).toBe('{"a":"\\u003c/script\\u003e"}');
  });

  it('Markdown escapes table pipes and HTML', () => {
    const md = reports.files['coverage.md']!;
    expect(md).not.toContain('<img');
    expect(md).toContain('&lt;/script&gt;');
    expect(md).toContain('\\|');
  });
});

describe('delta against a git ref', () => {
  function repoWith(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'dac-cov-git-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
    git('init', '-q');
    git('config', 'user.email', 't@example.com');
    git('config', 'user.name', 't');
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), content);
    }
    git('add', '-A');
    git('commit', '-qm', 'base');
    return dir;
  }

  it('reads the base version with git and reports newly/no longer covered techniques and detection changes', () => {
    const sshFile = readFileSync(repoPath('detections/network/ssh/ssh-brute-force.yaml'), 'utf8');
    const icmpFile = readFileSync(repoPath('detections/network/icmp/icmp-high-volume-upload.yaml'), 'utf8');
    const dir = repoWith({ 'detections/ssh.yaml': sshFile, 'detections/icmp.yaml': icmpFile });
    const base = detectionsAtRef('HEAD', ['detections'], dir);
    expect(base.map((d) => d.detection.name).sort()).toEqual(['High-volume data upload over ICMP', 'SSH brute force from a device']);
    const ssh = base.find((d) => d.file.endsWith('ssh.yaml'))!;
    const head = [
      { file: ssh.file, detection: { ...ssh.detection, mitre: [{ technique: 'T1110', tactic: 'credential-access' }] } },
      library.find((d) => d.detection.mitre.some((m) => m.technique === 'T1018'))!,
    ];
    const delta = compareCoverage('HEAD', base, head);
    expect(delta.newlyCovered.map((c) => c.technique).sort()).toEqual(['T1018', 'T1595']);
    expect(delta.noLongerCovered.map((c) => c.technique).sort()).toEqual(['T1021.004', 'T1048']);
    expect(delta.added.map((d) => d.name)).toEqual(['Internal ping sweep']);
    expect(delta.removed.map((d) => d.name)).toEqual(['High-volume data upload over ICMP']);
    expect(delta.changed.map((d) => d.name)).toEqual(['SSH brute force from a device']);
    const { files } = buildCoverageReports(head, delta);
    expect(files['coverage.md']).toContain('## Change against `HEAD`');
    expect(files['coverage.md']).toContain('- T1018 Remote System Discovery (discovery)');
    expect(files['coverage.md']).toContain('**Detections removed** (1)');
    expect(JSON.parse(/id="coverage-data">(.*?)<\/script>/s.exec(files['coverage.html']!)![1]!).delta.noLongerCovered).toHaveLength(2);
  });

  it('coverageDelta(ref, paths) compares the working tree with the ref', () => {
    const dir = repoWith({
      'detections/ssh.yaml': readFileSync(repoPath('detections/network/ssh/ssh-brute-force.yaml'), 'utf8'),
      'detections/icmp.yaml': readFileSync(repoPath('detections/network/icmp/icmp-high-volume-upload.yaml'), 'utf8'),
    });
    rmSync(join(dir, 'detections/icmp.yaml'));
    const delta = coverageDelta('HEAD', [], { cwd: dir });
    expect(delta.removed.map((d) => d.name)).toEqual(['High-volume data upload over ICMP']);
    expect(delta.noLongerCovered.map((c) => c.technique)).toEqual(['T1048']);
    expect(delta.added).toEqual([]);
    expect(delta.changed).toEqual([]);
  });

  it('an unknown ref is a clear error', () => {
    const dir = repoWith({ 'detections/x.yaml': 'a: 1\n' });
    expect(() => detectionsAtRef('no-such-branch', ['detections'], dir)).toThrow(GitRefError);
  });

  it('dac coverage warns on stderr about a revoked technique and still writes the reports', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dac-cov-revoked-'));
    const yaml = readFileSync(repoPath('detections/network/ssh/ssh-brute-force.yaml'), 'utf8').replace('technique: T1021.004', 'technique: T1073');
    writeFileSync(join(dir, 'revoked.yaml'), yaml);
    let out = '';
    let err = '';
    const code = await runCli(['coverage', dir, '--out', join(dir, 'out'), '--format', 'json'], { stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
    expect(code).toBe(0);
    expect(err).toMatch(/warning: .*revoked\.yaml: T1073 is revoked; use T1574\.001 \(not counted\)/);
    const summary = JSON.parse(out);
    expect(summary).toMatchObject({ detections: 1, techniques: 1, problems: 1 });
    expect(summary.written).toHaveLength(5);
    expect(readFileSync(join(dir, 'out', 'coverage.md'), 'utf8')).toContain('T1073 is revoked; use T1574.001');
  });

  it('dac coverage --base with a bad ref exits 2 with the reason', async () => {
    let err = '';
    const code = await runCli(['coverage', repoPath('detections'), '--out', mkdtempSync(join(tmpdir(), 'dac-cov-')), '--base', 'definitely-not-a-ref'], { stdout: () => {}, stderr: (s) => void (err += s) });
    expect(code).toBe(2);
    expect(err).toMatch(/'definitely-not-a-ref' is not a commit/);
  });
});

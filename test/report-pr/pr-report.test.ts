// pr-report against a throw-away git repository: commit a base library, change it, compare with HEAD.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { buildPrReport, PR_REPORT_MARKER, renderPrReportMarkdown, type PrReport } from '../../src/report/pr/index.ts';

const FTP = readFileSync(new URL('./fixtures/ftp-upload.yaml', import.meta.url), 'utf8');
const FTP_ID = '43722e56-9161-4f5d-bacd-6ccfa1ebeae9';
const OTHER_ID = '11111111-2222-4333-8444-555555555555';
const NEW_ID = '99999999-8888-4777-8666-555555555555';

/** The FTP detection under another id and name, Sentinel only (so removing it deletes one Sentinel rule). */
const sentinelOnly = FTP.replace(FTP_ID, OTHER_ID).replace('name: File uploaded over FTP to an internet server', 'name: Second FTP rule').replace(/defender:\n  enabled: true/, 'defender:\n  enabled: false');
/** A new detection mapped to a technique the base library does not cover. */
const added = FTP.replace(FTP_ID, NEW_ID).replace('name: File uploaded over FTP to an internet server', 'name: FTP exfiltration over C2').replace('technique: T1048.003', 'technique: T1041');

let repo: string;
const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
const put = (file: string, text: string) => {
  mkdirSync(join(repo, file, '..'), { recursive: true });
  writeFileSync(join(repo, file), text);
};

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'dac-pr-report-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'test');
  put('detections/ftp.yaml', FTP);
  put('detections/other.yaml', sentinelOnly);
  git('add', '.');
  git('commit', '-q', '-m', 'base');
  // The pull request: raise a severity, remove one detection, add one.
  put('detections/ftp.yaml', FTP.replace('severity: medium', 'severity: high'));
  rmSync(join(repo, 'detections/other.yaml'));
  put('detections/new.yaml', added);
  git('add', '-A');
  git('commit', '-q', '-m', 'change');
});

afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('buildPrReport', () => {
  let report: PrReport;
  beforeAll(() => {
    report = buildPrReport({ baseRef: 'HEAD~1', cwd: repo });
  });

  it('lists added, changed and removed detections by id', () => {
    const kinds = Object.fromEntries(report.changes.map((c) => [c.id, c.kind]));
    expect(kinds).toEqual({ [FTP_ID]: 'changed', [OTHER_ID]: 'removed', [NEW_ID]: 'added' });
    expect(report.changes.find((c) => c.id === FTP_ID)!.file).toBe('detections/ftp.yaml');
  });

  it('diffs the compiled artifacts of a changed detection on both platforms', () => {
    const ftp = report.changes.find((c) => c.id === FTP_ID)!;
    expect(ftp.artifacts.map((a) => [a.platform, a.change])).toEqual([['sentinel', 'update'], ['defender', 'update']]);
    const sentinel = ftp.artifacts[0]!.diff;
    expect(sentinel).toMatch(/^-\s+"severity": "Medium",?$/m);
    expect(sentinel).toMatch(/^\+\s+"severity": "High",?$/m);
    // Only the severity lines change: everything else is context.
    expect(sentinel.split('\n').filter((l) => /^[-+]/.test(l))).toHaveLength(2);
  });

  it('runs the tests of the changed and added detections and carries validation totals', () => {
    expect(report.tests).toEqual({ available: true, value: { passed: 8, failed: 0, error: 0 } });
    expect(report.validation).toEqual({ available: true, value: { errors: 0, warnings: 0, files: 2 } });
  });

  it('previews the deploy from the artifact diff and the coverage delta', () => {
    expect(report.deploy).toEqual({
      available: true,
      value: { sentinel: { create: 1, update: 1, delete: 1 }, defender: { create: 1, update: 1, delete: 0 } },
    });
    expect(report.coverage.available && report.coverage.value.newlyCovered.map((c) => c.technique)).toEqual(['T1041']);
  });

  it('renders Markdown that starts with the sticky-comment marker and names each change', () => {
    const md = renderPrReportMarkdown(report);
    expect(md.startsWith(`${PR_REPORT_MARKER}\n`)).toBe(true);
    expect(md).toContain('FTP exfiltration over C2');
    expect(md).toContain('```diff');
    expect(md).toMatch(/\| sentinel \| 1 \| 1 \| 1 \|/);
  });

  it('says which section is unavailable instead of omitting it', () => {
    const md = renderPrReportMarkdown({ ...report, coverage: { available: false, reason: 'coverage failed: boom' }, deploy: { available: false, reason: 'build failed: templates missing' } });
    expect(md).toContain('⚠️ **Unavailable:** coverage failed: boom');
    expect(md).toContain('⚠️ **Unavailable:** build failed: templates missing');
  });

  it('works from a subfolder of the repository (paths relative to it, as in the working tree)', () => {
    const sub = buildPrReport({ baseRef: 'HEAD~1', cwd: join(repo, 'detections'), dirs: ['.'] });
    expect(Object.fromEntries(sub.changes.map((c) => [c.file, c.kind]))).toEqual({ 'ftp.yaml': 'changed', 'other.yaml': 'removed', 'new.yaml': 'added' });
  });

  it('keeps the Markdown under the limit, saying what it left out', () => {
    const md = renderPrReportMarkdown(report, 4000);
    expect(md.length).toBeLessThanOrEqual(4000);
    expect(md).toMatch(/detail block\(s\) omitted/);
    expect(md).toContain('### Deploy preview');
  });
});

describe('dac pr-report', () => {
  const cwd = process.cwd();
  const run = async (argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    process.chdir(repo);
    try {
      const code = await runCli(['pr-report', ...argv], { stdout: (s) => out.push(s), stderr: (s) => err.push(s) });
      return { code, stdout: out.join(''), stderr: err.join('') };
    } finally {
      process.chdir(cwd);
    }
  };

  it('exits 1 and reports the failing test when a changed detection no longer passes its tests', async () => {
    put('detections/ftp.yaml', FTP.replace('      count: 1\n', '      count: 2\n'));
    try {
      const { code, stdout } = await run(['--base', 'HEAD', '--format', 'json']);
      expect(code).toBe(1);
      const json = JSON.parse(stdout) as PrReport;
      expect(json.tests).toMatchObject({ available: true, value: { failed: 2 } });
      expect(json.changes.map((c) => c.kind)).toEqual(['changed']);
    } finally {
      git('checkout', '-q', '--', 'detections/ftp.yaml');
    }
  });

  it('a new file that does not load is reported with its line, not hidden', async () => {
    put('detections/broken.yaml', 'id: 1\nname: [unclosed\n');
    try {
      const { code, stdout } = await run(['--base', 'HEAD']);
      expect(code).toBe(1);
      expect(stdout).toContain('Other validation problems');
      expect(stdout).toMatch(/`detections\/broken\.yaml:\d+:\d+`/);
    } finally {
      rmSync(join(repo, 'detections/broken.yaml'));
    }
  });

  it('a detection whose file stops loading is reported as such (not as removed), with the error line', async () => {
    put('detections/ftp.yaml', FTP.replace('severity: medium', 'severity: critical'));
    try {
      const { code, stdout } = await run(['--base', 'HEAD']);
      expect(code).toBe(1);
      expect(stdout).toMatch(/\| ❌ no longer loads \| File uploaded over FTP to an internet server \| `detections\/ftp\.yaml` \| ❌ 1 error\(s\): fix the file/);
      expect(stdout).not.toContain('🗑️ removed');
      expect(stdout).toMatch(/`detections\/ftp\.yaml:\d+:\d+`/);
    } finally {
      git('checkout', '-q', '--', 'detections/ftp.yaml');
    }
  });

  it('writes the comment and the full report to files', async () => {
    const { code, stderr } = await run(['--base', 'HEAD~1', '--out', 'out/report.md', '--full-out', 'out/full.md']);
    expect(code).toBe(0);
    expect(stderr).toContain('3 changed detection(s)');
    expect(readFileSync(join(repo, 'out/report.md'), 'utf8').startsWith(PR_REPORT_MARKER)).toBe(true);
    expect(readFileSync(join(repo, 'out/full.md'), 'utf8')).toContain('Second FTP rule');
  });

  it('an unknown ref is a one-line usage error (exit 2)', async () => {
    const { code, stderr } = await run(['--base', 'origin/nope']);
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain("'origin/nope' is not a commit");
  });
});

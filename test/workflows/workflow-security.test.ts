// Security properties of every workflow, read from the parsed YAML (not from grep over text).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoPath } from '../../src/paths.ts';

type Permissions = Record<string, string> | string;
interface Job { permissions?: Permissions; environment?: string | { name: string }; steps?: { uses?: string; run?: string }[] }
interface Workflow { on: Record<string, unknown>; permissions?: Permissions; concurrency?: { group: string; 'cancel-in-progress'?: boolean }; jobs: Record<string, Job> }

const DIR = repoPath('.github/workflows');
const workflows = readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((file) => {
    const text = readFileSync(join(DIR, file), 'utf8');
    return { file, text, wf: parse(text) as Workflow };
  });
const byName = (file: string) => workflows.find((w) => w.file === file)!.wf;

function usesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(usesOf);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === 'uses' && typeof v === 'string' ? [v] : usesOf(v)));
  }
  return [];
}

/** Job names granted `scope: write` (explicitly or through write-all). */
function jobsWithWrite(wf: Workflow, scope: string): string[] {
  return Object.entries(wf.jobs)
    .filter(([, job]) => job.permissions === 'write-all' || (typeof job.permissions === 'object' && job.permissions[scope] === 'write'))
    .map(([name]) => name);
}

describe('workflow security properties', () => {
  it('the PR, deploy and drift workflows exist', () => {
    expect(workflows.map((w) => w.file)).toEqual(expect.arrayContaining(['pr.yml', 'deploy.yml', 'drift.yml']));
  });

  for (const { file, text, wf } of workflows) {
    it(`${file}: pins every action to a full commit SHA with a version comment`, () => {
      const uses = usesOf(wf.jobs);
      expect(uses.length).toBeGreaterThan(0);
      for (const u of uses) {
        if (u.startsWith('./')) continue;
        expect(u, `${file}: ${u}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        const line = text.split('\n').find((l) => l.includes(u))!;
        expect(line, `${file}: ${u} needs a "# vX.Y.Z" comment`).toMatch(/# v\d+\.\d+\.\d+\s*$/);
      }
    });

    it(`${file}: least-privilege permissions at top level and per job; never pull_request_target`, () => {
      expect(Object.keys(wf.on)).not.toContain('pull_request_target');
      expect(wf.permissions, `${file}: top-level permissions`).toBeDefined();
      // Top level grants at most read access to contents; anything more belongs to the one job that needs it.
      const top = wf.permissions as Permissions;
      expect(typeof top === 'object' && Object.entries(top).every(([k, v]) => k === 'contents' && v === 'read')).toBe(true);
      for (const [name, job] of Object.entries(wf.jobs)) {
        expect(job.permissions, `${file}: job ${name} permissions`).toBeTypeOf('object');
        expect(JSON.stringify(job.permissions)).not.toMatch(/write-all|read-all/);
      }
    });
  }

  it('pull-requests: write only on the PR comment job', () => {
    const holders = workflows.flatMap(({ file, wf }) => jobsWithWrite(wf, 'pull-requests').map((j) => `${file}:${j}`));
    expect(holders).toEqual(['pr.yml:comment']);
  });

  it('the PR comment job never checks out or runs code, it only downloads the report and posts it', () => {
    const comment = byName('pr.yml').jobs.comment!;
    const uses = (comment.steps ?? []).flatMap((s) => (s.uses ? [s.uses.split('@')[0]] : []));
    expect(uses).not.toContain('actions/checkout');
    expect(uses).toEqual(expect.arrayContaining(['actions/download-artifact', 'actions/github-script']));
    for (const s of comment.steps ?? []) expect(s.run ?? '', 'no npm/npx/node in the comment job').not.toMatch(/\b(npm|npx|node|dac)\b/);
    // Forks: posting is skipped and the summary says so.
    expect(JSON.stringify(comment.steps)).toMatch(/head\.repo\.fork/);
  });

  it('id-token: write only on deploy and drift jobs that log in to Azure', () => {
    const holders = workflows.flatMap(({ file, wf }) => jobsWithWrite(wf, 'id-token').map((j) => `${file}:${j}`));
    expect(holders.sort()).toEqual(['deploy.yml:production', 'deploy.yml:staging', 'drift.yml:plan']);
    for (const h of holders) {
      const [file, job] = h.split(':') as [string, string];
      expect(usesOf(byName(file).jobs[job]).some((u) => u.startsWith('azure/login@'))).toBe(true);
    }
  });

  it('issues: write only on the drift issue job', () => {
    const holders = workflows.flatMap(({ file, wf }) => jobsWithWrite(wf, 'issues').map((j) => `${file}:${j}`));
    expect(holders).toEqual(['drift.yml:issue']);
  });

  it('pr.yml gets no cloud credentials and no secrets, and runs on pull_request only', () => {
    const { text, wf } = workflows.find((w) => w.file === 'pr.yml')!;
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(text).not.toMatch(/azure\/login/);
    expect(text).not.toMatch(/secrets\./);
    expect(text).not.toMatch(/id-token:\s*write/);
  });

  it('deploy.yml runs only on push to main or manual dispatch, serialised, bound to environments, prune off by default', () => {
    const { text, wf } = workflows.find((w) => w.file === 'deploy.yml')!;
    expect(Object.keys(wf.on).sort()).toEqual(['push', 'workflow_dispatch']);
    expect((wf.on.push as { branches: string[] }).branches).toEqual(['main']);
    const inputs = (wf.on.workflow_dispatch as { inputs: Record<string, { type: string; default: unknown; options?: string[] }> }).inputs;
    expect(inputs.prune).toMatchObject({ type: 'boolean', default: false });
    expect(inputs.environment!.options!.sort()).toEqual(['both', 'production', 'staging']);
    expect(wf.concurrency?.group).toBeTruthy();
    expect(wf.concurrency?.['cancel-in-progress']).toBe(false);
    expect(wf.jobs.staging!.environment).toBe('staging');
    expect(wf.jobs.production!.environment).toBe('production');
    expect((wf.jobs.production as { needs: string[] }).needs).toContain('staging');
    // --prune appears only behind the PRUNE switch, never unconditionally on the apply command line.
    for (const line of text.split('\n').filter((l) => l.includes('npx dac apply'))) expect(line).not.toMatch(/--prune/);
    expect(text).not.toMatch(/secrets\./);
  });

  it('drift.yml runs nightly and on dispatch, fails on drift via plan --fail-on-changes', () => {
    const { text, wf } = workflows.find((w) => w.file === 'drift.yml')!;
    expect(Object.keys(wf.on).sort()).toEqual(['schedule', 'workflow_dispatch']);
    expect(text).toMatch(/dac plan --env production --format markdown --fail-on-changes/);
    expect(text).not.toMatch(/dac apply/);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoPath } from '../../src/paths.ts';

const DIR = repoPath('.github/workflows');
const workflows = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).map((f) => ({ file: f, text: readFileSync(join(DIR, f), 'utf8') }));

function usesOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(usesOf);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => (k === 'uses' && typeof v === 'string' ? [v] : usesOf(v)));
  }
  return [];
}

describe('workflow security properties', () => {
  it('there is at least one workflow', () => {
    expect(workflows.length).toBeGreaterThan(0);
  });

  for (const { file, text } of workflows) {
    const wf = parse(text) as { on: Record<string, unknown>; permissions?: unknown; jobs: Record<string, { permissions?: Record<string, string> | string }> };

    it(`${file}: pins every action to a full commit SHA`, () => {
      for (const uses of usesOf(wf.jobs)) {
        if (uses.startsWith('./')) continue;
        expect(uses, `${file}: ${uses}`).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
      }
    });

    it(`${file}: declares least-privilege permissions at top level and per job, and never uses pull_request_target`, () => {
      expect(Object.keys(wf.on)).not.toContain('pull_request_target');
      expect(wf.permissions, `${file}: top-level permissions`).toBeDefined();
      expect(JSON.stringify(wf.permissions)).not.toMatch(/write-all/);
      for (const [name, job] of Object.entries(wf.jobs)) {
        expect(job.permissions, `${file}: job ${name} permissions`).toBeDefined();
        expect(job.permissions).not.toBe('write-all');
      }
    });

    if (Object.keys(wf.on).includes('pull_request')) {
      it(`${file}: pull-request workflows get no cloud credentials`, () => {
        expect(text).not.toMatch(/azure\/login/);
        expect(text).not.toMatch(/secrets\./);
        expect(text).not.toMatch(/id-token:\s*write/);
      });
    }
  }
});

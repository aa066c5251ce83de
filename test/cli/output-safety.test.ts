/**
 * CLI output safety: detection-supplied strings cannot inject CI workflow commands into text output (L8), a closed
 * pipe does not crash the CLI (L9), and `dac test` refuses paths it cannot test instead of passing on nothing (L10).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnosticsText, safeText } from '../../src/cli/diagnostics-output.ts';
import { runCli } from '../../src/cli/main.ts';
import { formatFailure } from '../../src/cli/test-output.ts';
import { REPO_ROOT, repoPath } from '../../src/paths.ts';
import type { TestResult } from '../../src/testing/run-tests.ts';
import { mutate, tempLibrary, VALID_DETECTION } from '../validate/helpers.ts';

async function dac(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
  return { code, stdout, stderr };
}

/**
 * No line is a workflow command: the GitHub runner trims leading whitespace and then looks for `::`, and also
 * parses `##[command]` anywhere in a line; Azure Pipelines parses `##vso[` anywhere.
 */
function expectNoWorkflowCommands(text: string): void {
  for (const line of text.split(/\r\n|\r|\n/)) {
    expect(line.trimStart(), line).not.toMatch(/^::/);
    expect(line, line).not.toMatch(/##(vso)?\[/i);
  }
}

const INJECT = '\n::warning file=README.md,line=1::pwned';

/** A detection whose name, test name, expected row and file name all try to start a workflow command. */
function hostileLibrary(): string {
  const named = mutate('name: Outbound HTTP with curl user agent', `name: ${JSON.stringify(`Evil${INJECT}`)}`);
  const withTest = `${named}tests:
  - name: ${JSON.stringify(`x${INJECT}`)}
    now: 2026-03-01T12:00:00Z
    tables:
      DeviceNetworkEvents: []
    expect:
      contains: [{DeviceName: "##[warning]row ##vso[task.setvariable variable=x]1"}]
`;
  // A second detection, without tests, in a file whose name holds a newline and a command.
  const untested = mutate('id: 3f1c2b9e-8d4a-4c6e-9b1a-2e5f7a9c0d11', 'id: 3f1c2b9e-8d4a-4c6e-9b1a-2e5f7a9c0d12');
  return tempLibrary({ 'evil.yaml': withTest, 'x\n::warning file=README.md::file.yaml': untested });
}

describe('safeText', () => {
  it('shows control characters and line breaks as escapes', () => {
    expect(safeText('a\nb\r\nc\td')).toBe('a\\nb\\r\\nc\\td');
    expect(safeText('red \x1b[31m bell \x07 nel \u0085 ls \u2028 rlo \u202e')).toBe('red \\u001b[31m bell \\u0007 nel \\u0085 ls \\u2028 rlo \\u202e');
  });

  it('escapes a leading :: (also after whitespace) and ##[ / ##vso[ anywhere', () => {
    expect(safeText('::warning::x')).toBe('\\::warning::x');
    expect(safeText('  \u00a0::error::x')).toBe('  \u00a0\\::error::x');
    expect(safeText('see ##[warning]x and ##VSO[task.complete]')).toBe('see ##\\[warning]x and ##VSO\\[task.complete]');
  });

  it('leaves ordinary text alone', () => {
    for (const s of ['Outbound HTTP with curl user agent', 'T1071.001', 'a::b', 'détection › ünïcode ✓', 'C:\\path\\x.yaml']) expect(safeText(s)).toBe(s);
  });
});

describe('text formatters neutralise detection-supplied strings', () => {
  it('formatFailure: names, file, message, rows and trace', () => {
    const r: TestResult = {
      detection: `Evil${INJECT}`, detectionId: 'id', file: `dir/x${INJECT}.yaml`, line: 3, test: `t${INJECT}`, platform: 'defender', status: 'failed',
      message: '::error::message', mismatches: [{ message: 'm', expected: { a: '##[warning]e' }, actual: '\u2028::x' }],
      trace: [{ line: 1, column: 1, rowsIn: 1, rowsOut: 0, operator: 'where x == "\n::warning::op"', sample: [] }], durationMs: 0,
    };
    const text = formatFailure(r);
    expectNoWorkflowCommands(text);
    expect(text).toContain('Evil\\n::warning file=README.md,line=1::pwned › t\\n::warning');
    expect(text).toContain('    \\::error::message');
  });

  it('formatDiagnosticsText: file, message, path and hint', () => {
    const text = formatDiagnosticsText([
      { file: `a${INJECT}.yaml`, line: 1, column: 1, path: `/k${INJECT}`, severity: 'error', code: 'schema/x', message: `::error::m${INJECT}`, hint: `h${INJECT} ##[error]` },
    ]);
    expectNoWorkflowCommands(text);
    expect(text.split('\n')).toHaveLength(2); // the message line and our own hint line
  });
});

describe('L8: CLI text output cannot start a workflow command', () => {
  it('dac test (text) escapes hostile test, detection and file names', async () => {
    const dir = hostileLibrary();
    const r = await dac('test', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ Evil\\n::warning file=README.md,line=1::pwned › x\\n::warning file=README.md,line=1::pwned [defender]');
    expect(r.stdout).toMatch(/warning: .*x\\n::warning file=README\.md::file\.yaml has no test that must fire and no test that must not fire/);
    expectNoWorkflowCommands(r.stdout);
    expectNoWorkflowCommands(r.stderr);
  });

  it('dac test --format github emits only its own annotations', async () => {
    const dir = hostileLibrary();
    const r = await dac('test', dir, '--format', 'github');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n').filter((l) => l.trimStart().startsWith('::'));
    expect(lines.length).toBe(2);
    for (const l of lines) expect(l).toMatch(/^::error file=[^,]*evil\.yaml,line=\d+,title=test (defender|sentinel)::/);
  });

  it('dac validate (text) escapes a hostile field name echoed in a diagnostic, and a hostile file name', async () => {
    const dir = tempLibrary({ [`bad${INJECT}.yaml`]: `${VALID_DETECTION}${JSON.stringify(`::warning::k${INJECT} ##[error]`)}: 1\n` });
    const r = await dac('validate', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('schema/additionalProperties: unknown field `::warning::k\\n::warning file=README.md,line=1::pwned ##\\[error]`');
    expectNoWorkflowCommands(r.stdout);
  });

  it('dac check (text) escapes the validate and test stage details', async () => {
    const dir = hostileLibrary();
    const cwd = process.cwd();
    // check writes dist/ and reports/ under the working directory: keep them out of the repository.
    process.chdir(mkdtempSync(join(tmpdir(), 'dac-check-cwd-')));
    try {
      const r = await dac('check', dir);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain('── test');
      expect(r.stdout).toContain('Evil\\n::warning');
      expectNoWorkflowCommands(r.stdout);
    } finally {
      process.chdir(cwd);
    }
  });
});

/** Runs the real `dac` binary with stdout and/or stderr closed on the reading side before it writes anything. */
function dacWithClosedPipes(args: string[], close: ReadonlyArray<'stdout' | 'stderr'>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [repoPath('bin/dac.mjs'), ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '1' } });
    let stderr = '';
    for (const name of ['stdout', 'stderr'] as const) {
      if (close.includes(name)) child[name].destroy();
      else child[name].on('data', (d) => void (name === 'stderr' ? (stderr += d) : undefined));
    }
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('L9: a closed pipe (`dac … | head -1`) exits quietly', () => {
  it('--help with stdout closed: exit 0, no EPIPE stack trace', async () => {
    const r = await dacWithClosedPipes(['--help'], ['stdout']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('validate with stdout closed keeps its exit code (1 for errors) and prints nothing on stderr', async () => {
    const dir = tempLibrary({ 'bad.yaml': mutate('severity: medium', 'severity: severe') });
    const r = await dacWithClosedPipes(['validate', dir], ['stdout']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });

  it('test with stdout closed: failing tests still exit 1, quietly', async () => {
    const r = await dacWithClosedPipes(['test', hostileLibrary()], ['stdout']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });

  it('a usage error with both streams closed still exits 2', async () => {
    const r = await dacWithClosedPipes(['test', join(tmpdir(), 'dac-no-such-path')], ['stdout', 'stderr']);
    expect(r.code).toBe(2);
  });
});

describe('L10: dac test refuses paths with nothing to test', () => {
  it('a nonexistent path is a usage error naming the path', async () => {
    const missing = join(tmpdir(), 'dac-does-not-exist', 'detections');
    const r = await dac('test', missing);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`dac test: no such file or directory: ${missing}\n`);
    expect(r.stdout).toBe('');
  });

  it('an existing folder with no detection files is a usage error, not "✓ 0 detection tests"', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'dac-empty-'));
    mkdirSync(join(empty, 'sub'));
    writeFileSync(join(empty, 'README.md'), '# nothing here\n');
    for (const format of ['text', 'json']) {
      const r = await dac('test', empty, '--format', format);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`dac test: no detection files (*.yaml, *.yml) found under ${empty}\n`);
      expect(r.stdout).toBe('');
    }
  });

  it('every path is checked: one empty folder among good ones is still an error', async () => {
    const good = tempLibrary({ 'ok.yaml': VALID_DETECTION });
    const empty = mkdtempSync(join(tmpdir(), 'dac-empty-'));
    const r = await dac('test', good, empty);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(empty);
  });

  it('a folder with detections still runs (exit 0 when they pass)', async () => {
    const r = await dac('test', tempLibrary({ 'ok.yaml': VALID_DETECTION }));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ 0 detection tests: 0 passed, 0 failed/);
  });
});

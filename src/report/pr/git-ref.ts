/**
 * Detections as they were at a git ref, loaded with the same loader as the working tree (so the build can
 * render them). Read with `git show REF:path` through execFile argument arrays: no checkout, no shell.
 */
import { execFileSync } from 'node:child_process';
import type { LoadedDetection } from '../../detection/library.ts';
import { loadSourceText } from '../../detection/load-file.ts';
import { checkDetectionSchema } from '../../detection/schema-check.ts';
import { GitRefError } from '../coverage/delta.ts';

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function assertCommit(ref: string, cwd: string): void {
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd);
  } catch {
    throw new GitRefError(`'${ref}' is not a commit in this repository (fetch it first, e.g. git fetch origin main, or check out with fetch-depth: 0)`);
  }
}

/** Detection files under `dirs` (repository-relative) at `ref`; files that do not load at that ref are skipped. */
export function loadDetectionsAtRef(ref: string, dirs: readonly string[], cwd: string): LoadedDetection[] {
  assertCommit(ref, cwd);
  // Repository-root paths for `git show`; paths relative to cwd (like the working tree's) for matching and display.
  const prefix = git(['rev-parse', '--show-prefix'], cwd).trim();
  const files = git(['ls-tree', '-r', '--full-name', '--name-only', '-z', ref, '--', ...dirs], cwd).split('\0').filter((f) => /\.ya?ml$/i.test(f));
  const out: LoadedDetection[] = [];
  for (const fullName of files) {
    const file = fullName.startsWith(prefix) ? fullName.slice(prefix.length) : fullName;
    const sourceFile = loadSourceText(file, git(['show', `${ref}:${fullName}`], cwd));
    const { detection } = checkDetectionSchema(sourceFile);
    if (detection && sourceFile.source) out.push({ file, detection, source: sourceFile.source });
  }
  return out;
}

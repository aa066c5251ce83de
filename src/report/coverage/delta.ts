/**
 * Coverage change against a git ref: the detections as they were at REF are read with `git show` (no
 * checkout, no shell) and run through the same loader and coverage model as the working tree.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { DEFAULT_DETECTION_DIR, loadLibrary } from '../../detection/library.ts';
import { loadSourceText } from '../../detection/load-file.ts';
import { checkDetectionSchema } from '../../detection/schema-check.ts';
import type { Detection } from '../../detection/types.ts';
import { stableStringify } from '../../util/stable-json.ts';
import { cellKey, computeCoverage, type CoverageModel, type SourcedDetection } from './model.ts';

export interface DeltaCell {
  technique: string;
  name: string;
  tactic: string;
}

export interface DeltaDetection {
  id: string;
  name: string;
  file: string;
}

export interface CoverageDelta {
  baseRef: string;
  newlyCovered: DeltaCell[];
  noLongerCovered: DeltaCell[];
  added: DeltaDetection[];
  removed: DeltaDetection[];
  changed: DeltaDetection[];
}

export class GitRefError extends Error {}

function git(args: string[], cwd: string): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Detections under `dirs` (relative to `cwd`) as they were at `ref`; files that did not parse at that ref are skipped.
 * Names come back from the repository root (--full-name) because `git show REF:path` reads root-relative paths. */
export function detectionsAtRef(ref: string, dirs: readonly string[], cwd = process.cwd()): SourcedDetection[] {
  try {
    git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], cwd);
  } catch {
    throw new GitRefError(`'${ref}' is not a commit in this repository (fetch it first, e.g. git fetch origin main)`);
  }
  const files = git(['ls-tree', '-r', '--name-only', '--full-name', '-z', ref, '--', ...dirs], cwd).split('\0').filter((f) => /\.ya?ml$/i.test(f));
  const out: SourcedDetection[] = [];
  for (const file of files) {
    const text = git(['show', `${ref}:${file}`], cwd);
    const { detection } = checkDetectionSchema(loadSourceText(file, text));
    if (detection) out.push({ file, detection });
  }
  return out;
}

function fingerprint(d: Detection): string {
  return stableStringify(d);
}

export function compareCoverage(baseRef: string, base: readonly SourcedDetection[], head: readonly SourcedDetection[]): CoverageDelta {
  const before = computeCoverage(base);
  const after = computeCoverage(head);
  const cells = (m: CoverageModel) => new Map([...m.cells.values()].map((c) => [cellKey(c.technique.id, c.tactic), { technique: c.technique.id, name: c.technique.name, tactic: c.tactic }]));
  const b = cells(before);
  const a = cells(after);
  const byId = (list: readonly SourcedDetection[]) => new Map(list.map((d) => [d.detection.id, d]));
  const baseById = byId(base);
  const headById = byId(head);
  const brief = (d: SourcedDetection): DeltaDetection => ({ id: d.detection.id, name: d.detection.name, file: d.file });
  return {
    baseRef,
    newlyCovered: [...a.entries()].filter(([k]) => !b.has(k)).map(([, v]) => v),
    noLongerCovered: [...b.entries()].filter(([k]) => !a.has(k)).map(([, v]) => v),
    added: [...headById.values()].filter((d) => !baseById.has(d.detection.id)).map(brief),
    removed: [...baseById.values()].filter((d) => !headById.has(d.detection.id)).map(brief),
    changed: [...headById.values()].filter((d) => baseById.has(d.detection.id) && fingerprint(baseById.get(d.detection.id)!.detection) !== fingerprint(d.detection)).map(brief),
  };
}

/**
 * Coverage of the detections under `paths` (default `detections/`) now, against the same paths at `baseRef`.
 * Pass `head` when the working-tree detections are already loaded, to avoid loading them twice.
 */
export function coverageDelta(
  baseRef: string,
  paths: readonly string[] = [],
  options: { head?: readonly SourcedDetection[]; cwd?: string } = {},
): CoverageDelta {
  const cwd = options.cwd ?? process.cwd();
  const dirs = paths.length ? paths : [DEFAULT_DETECTION_DIR];
  const base = detectionsAtRef(baseRef, dirs, cwd);
  const head = options.head ?? loadLibrary(dirs.map((p) => resolve(cwd, p))).detections.map((d) => ({ file: d.file, detection: d.detection }));
  return compareCoverage(baseRef, base, head);
}

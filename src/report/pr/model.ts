/**
 * The pull-request review model: what changed in the detection library between a base ref and the
 * working tree, and what that means (validation, tests, compiled artifacts, ATT&CK coverage, deploy).
 * Each section that depends on another stage is computed independently, so one failing stage makes its
 * section "unavailable" with the reason instead of losing the whole report.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { buildLibrary, type Artifact } from '../../build/index.ts';
import type { Diagnostic } from '../../diagnostics/diagnostic.ts';
import type { LoadedDetection } from '../../detection/library.ts';
import type { Platform } from '../../kql/table-schemas.ts';
import { runDetectionTests, type TestResult } from '../../testing/run-tests.ts';
import { stableStringify } from '../../util/stable-json.ts';
import { validateLibrary } from '../../validate/validate-library.ts';
import { compareCoverage, type CoverageDelta } from '../coverage/delta.ts';
import { loadDetectionsAtRef } from './git-ref.ts';
import { unifiedDiff } from './line-diff.ts';

/** `invalid`: the base had the detection and its file is still there, but it no longer loads (YAML or schema error). */
export type ChangeKind = 'added' | 'changed' | 'removed' | 'invalid';
export type ArtifactChange = 'create' | 'update' | 'delete' | 'unchanged';

export interface ArtifactDiff {
  platform: Platform;
  path: string;
  change: ArtifactChange;
  /** Unified diff of the artifact JSON (base → head); for create/delete the whole file as added/removed lines. */
  diff: string;
}

export interface DetectionChange {
  id: string;
  name: string;
  file: string;
  kind: ChangeKind;
  /** Validation problems of this detection's file in the working tree. */
  diagnostics: Diagnostic[];
  tests: TestResult[];
  artifacts: ArtifactDiff[];
}

export type Section<T> = { available: true; value: T } | { available: false; reason: string };

export interface DeployCounts { create: number; update: number; delete: number }

export interface PrReport {
  baseRef: string;
  changes: DetectionChange[];
  /** Validation problems in files that are not a listed change, e.g. a new file that does not load at all. */
  otherDiagnostics: Diagnostic[];
  /** Library-wide validation totals (head), including files that did not load. */
  validation: Section<{ errors: number; warnings: number; files: number }>;
  tests: Section<{ passed: number; failed: number; error: number }>;
  build: Section<{ errors: number }>;
  coverage: Section<CoverageDelta>;
  /** What `dac apply` would do from the artifact diff, per platform, before environment selection. */
  deploy: Section<Record<Platform, DeployCounts>>;
}

export interface PrReportOptions {
  baseRef: string;
  /** Detection folders, relative to cwd (the repository root). */
  dirs?: string[];
  cwd?: string;
}

function section<T>(name: string, compute: () => T): Section<T> {
  try {
    return { available: true, value: compute() };
  } catch (err) {
    return { available: false, reason: `${name} failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}` };
  }
}

const fingerprint = (d: LoadedDetection) => stableStringify(d.detection);
const artifactKey = (a: Pick<Artifact, 'detectionId' | 'platform'>) => `${a.detectionId}|${a.platform}`;

function diffArtifacts(detectionId: string, base: Map<string, Artifact>, head: Map<string, Artifact>): ArtifactDiff[] {
  const out: ArtifactDiff[] = [];
  for (const platform of ['sentinel', 'defender'] as const) {
    const key = artifactKey({ detectionId, platform });
    const before = base.get(key);
    const after = head.get(key);
    if (!before && !after) continue;
    const change: ArtifactChange = !before ? 'create' : !after ? 'delete' : before.content === after.content ? 'unchanged' : 'update';
    out.push({ platform, path: (after ?? before)!.path, change, diff: unifiedDiff(before?.content ?? '', after?.content ?? '') });
  }
  return out;
}

/** Changes between `baseRef` and the working tree. Throws GitRefError when the ref does not resolve. */
export function buildPrReport(options: PrReportOptions): PrReport {
  const cwd = options.cwd ?? process.cwd();
  const dirs = options.dirs ?? ['detections'];
  const base = loadDetectionsAtRef(options.baseRef, dirs, cwd);
  const validated = validateLibrary(dirs.map((d) => resolve(cwd, d)));
  const display = (file: string) => (isAbsolute(file) ? relative(cwd, file).split('\\').join('/') : file);
  const head: LoadedDetection[] = validated.detections.map((d) => ({ file: display(d.file), detection: d.detection, source: d.source }));

  const diagnostics = validated.diagnostics.map((d) => ({ ...d, file: display(d.file) }));
  const failsToLoad = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.file));

  const baseById = new Map(base.map((d) => [d.detection.id, d]));
  const headById = new Map(head.map((d) => [d.detection.id, d]));
  const touched: { loaded: LoadedDetection; kind: ChangeKind }[] = [
    ...head.filter((d) => !baseById.has(d.detection.id)).map((loaded) => ({ loaded, kind: 'added' as const })),
    ...head.filter((d) => baseById.has(d.detection.id) && fingerprint(baseById.get(d.detection.id)!) !== fingerprint(d)).map((loaded) => ({ loaded, kind: 'changed' as const })),
    ...base.filter((d) => !headById.has(d.detection.id)).map((loaded) => ({ loaded, kind: failsToLoad.has(loaded.file) ? ('invalid' as const) : ('removed' as const) })),
  ];
  const touchedHead = touched.filter((t) => t.kind === 'added' || t.kind === 'changed').map((t) => t.loaded);

  const validation = section('validation', () => ({
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
    files: validated.files,
  }));
  const testRun = section('tests', () => runDetectionTests(touchedHead));
  // Build both sides in full: artifact paths depend on the whole library (colliding names get their id).
  const builds = section('build', () => ({ base: buildLibrary(base), head: buildLibrary(head) }));
  const coverage = section('coverage', () => compareCoverage(options.baseRef, base, head));

  const byKey = (artifacts: Artifact[]) => new Map(artifacts.map((a) => [artifactKey(a), a]));
  const baseArtifacts = builds.available ? byKey(builds.value.base.artifacts) : new Map<string, Artifact>();
  const headArtifacts = builds.available ? byKey(builds.value.head.artifacts) : new Map<string, Artifact>();

  const changes: DetectionChange[] = touched
    .map(({ loaded, kind }) => ({
      id: loaded.detection.id,
      name: loaded.detection.name,
      file: loaded.file,
      kind,
      diagnostics: diagnostics.filter((d) => d.file === loaded.file),
      tests: testRun.available ? testRun.value.filter((r) => r.detectionId === loaded.detection.id) : [],
      artifacts: builds.available ? diffArtifacts(loaded.detection.id, baseArtifacts, headArtifacts) : [],
    }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.id.localeCompare(b.id));

  const deploy = builds.available
    ? section('deploy preview', () => {
        const counts: Record<Platform, DeployCounts> = { sentinel: { create: 0, update: 0, delete: 0 }, defender: { create: 0, update: 0, delete: 0 } };
        for (const key of new Set([...baseArtifacts.keys(), ...headArtifacts.keys()])) {
          const before = baseArtifacts.get(key);
          const after = headArtifacts.get(key);
          const platform = (after ?? before)!.platform;
          if (!before) counts[platform].create++;
          else if (!after) counts[platform].delete++;
          else if (before.content !== after.content) counts[platform].update++;
        }
        return counts;
      })
    : { available: false as const, reason: builds.reason };

  const changedFiles = new Set(changes.map((c) => c.file));
  return {
    baseRef: options.baseRef,
    changes,
    otherDiagnostics: diagnostics.filter((d) => !changedFiles.has(d.file)),
    validation,
    tests: testRun.available
      ? { available: true, value: { passed: count(testRun.value, 'passed'), failed: count(testRun.value, 'failed'), error: count(testRun.value, 'error') } }
      : testRun,
    build: builds.available
      ? { available: true, value: { errors: builds.value.head.diagnostics.filter((d) => d.severity === 'error').length } }
      : builds,
    coverage,
    deploy,
  };
}

function count(results: TestResult[], status: TestResult['status']): number {
  return results.filter((r) => r.status === status).length;
}

/** Findings that should fail the review: validation or build errors, or tests that do not pass. */
export function hasFindings(report: PrReport): boolean {
  return (
    (report.validation.available && report.validation.value.errors > 0) ||
    (report.tests.available && report.tests.value.failed + report.tests.value.error > 0) ||
    (report.build.available && report.build.value.errors > 0) ||
    !report.validation.available || !report.tests.available || !report.build.available
  );
}

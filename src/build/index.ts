/**
 * The build: each valid detection × each platform it is enabled on → dialect-adjusted query → template →
 * JSON artifact checked against the API contract → manifest. Pure (no file writes) except writeBuild.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { attackCatalog } from '../attack/catalog.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { LoadedDetection } from '../detection/library.ts';
import { enabledPlatforms } from '../detection/types.ts';
import type { Platform } from '../kql/table-schemas.ts';
import { checkArtifactContract } from './contracts.ts';
import { queryForPlatform } from './dialect.ts';
import { detectionPathFor } from './source-paths.ts';
import { contentHash, makeManifest, type BuildManifest, type ManifestEntry } from './manifest.ts';
import { TemplateError, TemplateSet } from './render.ts';
import { defenderRuleId, defenderView, sentinelRuleName, sentinelView } from './view-model.ts';

export { defenderRuleId, sentinelRuleName, SENTINEL_API_VERSION } from './view-model.ts';
export type { BuildManifest, ManifestEntry } from './manifest.ts';

export interface Artifact {
  detectionId: string;
  platform: Platform;
  /** Relative to the output folder. */
  path: string;
  content: string;
  json: unknown;
  /** Dialect rewrites applied to the query, e.g. "Timestamp → TimeGenerated (3 references)". */
  rewrites: string[];
}

export interface BuildResult {
  artifacts: Artifact[];
  manifest: BuildManifest;
  diagnostics: Diagnostic[];
}

export interface BuildOptions {
  templatesDir?: string;
  /** Imported third-party rules may use tables we have no schema for: report their KQL problems as warnings. */
  kqlErrorsAsWarnings?: boolean;
}

export function slugify(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'detection';
}

export function buildLibrary(detections: readonly LoadedDetection[], options: BuildOptions = {}): BuildResult {
  const templates = new TemplateSet(options.templatesDir);
  const artifacts: Artifact[] = [];
  const entries: ManifestEntry[] = [];
  const diagnostics: Diagnostic[] = [];
  // Detections whose names slug alike all get their id appended, so a path never depends on load order.
  const slugCounts = new Map<string, number>();
  for (const { detection } of detections) slugCounts.set(slugify(detection.name), (slugCounts.get(slugify(detection.name)) ?? 0) + 1);
  for (const loaded of detections) {
    const { detection, file, source } = loaded;
    const report = (path: (string | number)[], severity: Diagnostic['severity'], code: string, message: string, hint?: string) => {
      const pos = source.positionOf(path);
      diagnostics.push({ file, line: pos.line, column: pos.column, path: path.map((p) => `/${p}`).join(''), severity, code, message, ...(hint ? { hint } : {}) });
    };
    const base = slugify(detection.name);
    const slug = slugCounts.get(base)! > 1 ? `${base}-${detection.id.slice(0, 8)}` : base;
    for (const platform of enabledPlatforms(detection)) {
      const dialect = queryForPlatform(detection.query, platform);
      if (dialect.diagnostics.length) {
        const severity = options.kqlErrorsAsWarnings ? 'warning' : 'error';
        for (const d of dialect.diagnostics) {
          const pos = source.positionInScalar(['query'], dialect.sourceOffset(d.start));
          diagnostics.push({
            file, line: pos.line, column: pos.column, path: '/query', severity, code: `build/${platform}-query`,
            message: `emitted ${platform} query does not bind: ${d.message}`,
            ...queryHint(platform, d.message, dialect.rewrites),
          });
        }
        if (severity === 'error') continue;
      }
      const view = platform === 'sentinel' ? sentinelView({ detection, query: dialect.query }) : defenderView({ detection, query: dialect.query });
      const path = `${platform}/${slug}.json`;
      let rendered;
      try {
        rendered = templates.render(platform, view);
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        report([platform], 'error', 'build/template', `${path}: ${err.message}`, 'fix the template (every value through {{json …}}) or the detection field it reads');
        continue;
      }
      const violations = checkArtifactContract(platform, rendered.json);
      if (violations.length) {
        for (const v of violations) report(detectionPathFor(platform, v.path), 'error', `build/${platform}-contract`, `${path}: ${v.path}: ${v.message}`, 'the template or detection produces an artifact the API would reject');
        continue;
      }
      artifacts.push({ detectionId: detection.id, platform, path, content: rendered.content, json: rendered.json, rewrites: dialect.rewrites });
      entries.push({
        detectionId: detection.id, name: detection.name, platform, path,
        ruleId: platform === 'sentinel' ? sentinelRuleName(detection.id) : defenderRuleId(detection.id),
        hash: contentHash(rendered.content), version: detection.version, status: detection.status, tags: detection.tags ?? [],
      });
    }
  }
  return { artifacts, manifest: makeManifest(attackCatalog().version, entries), diagnostics };
}

function queryHint(platform: Platform, message: string, rewrites: string[]): { hint?: string } {
  if (platform === 'defender' && message.includes("'TimeGenerated'")) {
    return { hint: 'detections are written in the Defender dialect: use Timestamp, the Sentinel build renames it to TimeGenerated' };
  }
  if (rewrites.length) return { hint: `after rewriting ${rewrites.join(', ')}` };
  return { hint: 'a table without a bundled schema? `dac build --kql-warnings` builds it with a warning' };
}

/** Writes artifacts and the manifest; removes artifacts a previous build listed that this one no longer makes. */
export function writeBuild(result: BuildResult, outDir: string): string[] {
  const manifestPath = join(outDir, 'manifest.json');
  if (existsSync(manifestPath)) {
    try {
      const old = JSON.parse(readFileSync(manifestPath, 'utf8')) as Partial<BuildManifest>;
      const keep = new Set(result.artifacts.map((a) => a.path));
      for (const entry of old.artifacts ?? []) {
        if (typeof entry.path === 'string' && !keep.has(entry.path) && /^(sentinel|defender)\/[a-z0-9-]+\.json$/.test(entry.path)) rmSync(join(outDir, entry.path), { force: true });
      }
    } catch {
      // An unreadable old manifest only means stale files may remain; the new manifest is authoritative.
    }
  }
  const written: string[] = [];
  for (const a of result.artifacts) {
    const path = join(outDir, a.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, a.content);
    written.push(path);
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(manifestPath, JSON.stringify(result.manifest, null, 2) + '\n');
  written.push(manifestPath);
  return written;
}

/** The REST/SDK body for PUT .../alertRules/{ruleName}: derived from the ARM template, one source of truth. */
export function sentinelRestBody(armTemplate: unknown): { kind: string; properties: Record<string, unknown> } {
  const resource = (armTemplate as { resources?: { kind?: string; properties?: Record<string, unknown> }[] }).resources?.[0];
  if (!resource?.kind || !resource.properties) throw new Error('not a Sentinel alert rule ARM template (resources[0].kind/properties missing)');
  return { kind: resource.kind, properties: resource.properties };
}

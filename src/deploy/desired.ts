/** Desired state: the built artifacts (dist/manifest.json) that go to a target, as the bodies the APIs take. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sentinelRestBody, type BuildManifest, type ManifestEntry } from '../build/index.ts';
import type { Platform } from '../kql/table-schemas.ts';
import { selects, type Target } from './targets.ts';

export interface DesiredRule {
  platform: Platform;
  /** Sentinel rule resource name or Graph detectionRule id. */
  ruleId: string;
  detectionId: string;
  name: string;
  hash: string;
  /** Sentinel: {kind, properties}; Defender: the Graph detectionRule body. */
  body: Record<string, unknown>;
}

/**
 * Sentinel alert rules have no tags, so managed rules carry this line at the end of their description; it
 * survives portal edits of other fields and API round trips. Graph rules are recognised by their `dac-` id.
 */
export function sentinelMarker(ruleId: string): string {
  return `[Managed by kql-dac: detection ${ruleId}. Change it in git, not in the portal.]`;
}

export class DistError extends Error {}

export function readManifest(dist: string): BuildManifest {
  const path = join(dist, 'manifest.json');
  if (!existsSync(path)) throw new DistError(`${path} not found: run \`dac build\` first`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as BuildManifest;
  } catch (err) {
    throw new DistError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

export function desiredRules(dist: string, manifest: BuildManifest, target: Target): DesiredRule[] {
  const wanted = (e: ManifestEntry) =>
    ((e.platform === 'sentinel' && target.sentinel) || (e.platform === 'defender' && target.defender)) && selects(target.select, e);
  return manifest.artifacts.filter(wanted).map((e) => {
    const json = JSON.parse(readFileSync(join(dist, e.path), 'utf8')) as Record<string, unknown>;
    let body: Record<string, unknown>;
    if (e.platform === 'sentinel') {
      const rest = sentinelRestBody(json);
      const description = String(rest.properties.description ?? '');
      body = { kind: rest.kind, properties: { ...rest.properties, description: `${description}${description ? '\n\n' : ''}${sentinelMarker(e.ruleId)}` } };
    } else {
      body = json;
    }
    return { platform: e.platform, ruleId: e.ruleId, detectionId: e.detectionId, name: e.name, hash: e.hash, body };
  });
}

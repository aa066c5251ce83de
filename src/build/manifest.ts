/** dist/manifest.json: every artifact with its detection, platform, rule id and content hash. */
import { createHash } from 'node:crypto';
import type { Status } from '../detection/types.ts';
import type { Platform } from '../kql/table-schemas.ts';

export interface ManifestEntry {
  detectionId: string;
  name: string;
  platform: Platform;
  /** Relative to the output folder, forward slashes. */
  path: string;
  /** Sentinel rule resource name or Graph detectionRule id. */
  ruleId: string;
  hash: string;
  version: string;
  status: Status;
  tags: string[];
}

export interface BuildManifest {
  schemaVersion: 1;
  attackVersion: string;
  artifacts: ManifestEntry[];
}

export function contentHash(content: string): string {
  return 'sha256:' + createHash('sha256').update(content, 'utf8').digest('hex');
}

export function makeManifest(attackVersion: string, entries: ManifestEntry[]): BuildManifest {
  return { schemaVersion: 1, attackVersion, artifacts: [...entries].sort((a, b) => a.path.localeCompare(b.path)) };
}

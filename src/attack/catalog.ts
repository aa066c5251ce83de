/**
 * The pinned MITRE ATT&CK Enterprise catalogue (data/attack/enterprise-attack.json, ATT&CK's licence beside
 * it). The version is pinned by that file alone: replace the file to move to a newer ATT&CK release.
 */
import { readFileSync } from 'node:fs';
import { repoPath } from '../paths.ts';

export interface AttackTactic {
  id: string;
  shortname: string;
  name: string;
  order: number;
}

export interface AttackTechnique {
  id: string;
  name: string;
  tactics: string[];
  isSubtechnique: boolean;
  parent: string | null;
  deprecated: boolean;
  revoked: boolean;
  revokedBy: string | null;
  platforms: string[];
}

export interface AttackCatalog {
  version: string;
  domain: string;
  tactics: AttackTactic[];
  techniques: Map<string, AttackTechnique>;
  tactic(shortname: string): AttackTactic | undefined;
  technique(id: string): AttackTechnique | undefined;
  /** Follows revoked-by links until an unrevoked entry (ATT&CK chains them, e.g. T1073 → T1574.002 → T1574.001). */
  replacementOf(id: string): AttackTechnique | undefined;
  /** Active (neither revoked nor deprecated) techniques, sub-techniques included. */
  active(): AttackTechnique[];
}

let catalog: AttackCatalog | undefined;

export function attackCatalog(): AttackCatalog {
  if (catalog) return catalog;
  const raw = JSON.parse(readFileSync(repoPath('data/attack/enterprise-attack.json'), 'utf8')) as {
    attackVersion: string;
    domain: string;
    tactics: AttackTactic[];
    techniques: AttackTechnique[];
  };
  const techniques = new Map(raw.techniques.map((t) => [t.id, t]));
  const tactics = [...raw.tactics].sort((a, b) => a.order - b.order);
  const byShortname = new Map(tactics.map((t) => [t.shortname, t]));
  catalog = {
    version: raw.attackVersion,
    domain: raw.domain,
    tactics,
    techniques,
    tactic: (s) => byShortname.get(s),
    technique: (id) => techniques.get(id),
    replacementOf(id) {
      let current = techniques.get(id);
      const seen = new Set<string>();
      while (current?.revoked && current.revokedBy && !seen.has(current.id)) {
        seen.add(current.id);
        current = techniques.get(current.revokedBy);
      }
      return current && !current.revoked ? current : undefined;
    },
    active: () => raw.techniques.filter((t) => !t.revoked && !t.deprecated),
  };
  return catalog;
}

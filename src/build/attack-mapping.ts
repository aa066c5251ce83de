/** ATT&CK mappings in each platform's spelling. */
import { attackCatalog } from '../attack/catalog.ts';
import type { MitreMapping } from '../detection/types.ts';

/** `command-and-control` → `CommandAndControl`, the AttackTactic enum spelling of both APIs. */
export function apiTactic(shortname: string): string {
  return shortname.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

/** (technique, tactic) pairs the detection maps, resolving "all tactics of the technique" when none is given. */
export function tacticPairs(mitre: readonly MitreMapping[]): { technique: string; tactic: string }[] {
  const catalog = attackCatalog();
  const order = new Map(catalog.tactics.map((t) => [t.shortname, t.order]));
  const pairs: { technique: string; tactic: string }[] = [];
  for (const m of mitre) {
    const tactics = m.tactic ? [m.tactic] : catalog.technique(m.technique)?.tactics ?? [];
    for (const tactic of tactics) if (!pairs.some((p) => p.technique === m.technique && p.tactic === tactic)) pairs.push({ technique: m.technique, tactic });
  }
  return pairs.sort((a, b) => order.get(a.tactic)! - order.get(b.tactic)! || a.technique.localeCompare(b.technique));
}

/** Sentinel: tactics, parent techniques (`T####` only, the API rejects sub-techniques there) and subTechniques. */
export function sentinelAttack(mitre: readonly MitreMapping[]): { tactics: string[]; techniques: string[]; subTechniques: string[] } {
  const pairs = tacticPairs(mitre);
  const tactics = [...new Set(pairs.map((p) => apiTactic(p.tactic)))];
  const techniques = [...new Set(mitre.map((m) => m.technique.split('.')[0]!))].sort();
  const subTechniques = [...new Set(mitre.map((m) => m.technique).filter((t) => t.includes('.')))].sort();
  return { tactics, techniques, subTechniques };
}

/** Defender (Graph alertTemplate.tactics): tactic → techniques → subTechniques. */
export function defenderAttack(mitre: readonly MitreMapping[]): { tactic: string; techniques: { technique: string; subTechniques: string[] }[] }[] {
  const byTactic = new Map<string, Map<string, Set<string>>>();
  for (const { technique, tactic } of tacticPairs(mitre)) {
    const parent = technique.split('.')[0]!;
    let techniques = byTactic.get(tactic);
    if (!techniques) byTactic.set(tactic, (techniques = new Map()));
    let subs = techniques.get(parent);
    if (!subs) techniques.set(parent, (subs = new Set()));
    if (technique.includes('.')) subs.add(technique);
  }
  return [...byTactic].map(([tactic, techniques]) => ({
    tactic: apiTactic(tactic),
    techniques: [...techniques].sort(([a], [b]) => a.localeCompare(b)).map(([technique, subs]) => ({ technique, subTechniques: [...subs].sort() })),
  }));
}

/** ATT&CK checks: every technique exists in the pinned catalogue, is current, and sits under the tactic given. */
import { attackCatalog } from '../attack/catalog.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { LoadedDetection } from '../detection/library.ts';

export function checkAttack({ file, detection, source }: LoadedDetection): Diagnostic[] {
  const catalog = attackCatalog();
  const out: Diagnostic[] = [];
  detection.mitre.forEach((entry, i) => {
    const at = (field: 'technique' | 'tactic') => source.positionOf(['mitre', i, field]);
    const base = (field: 'technique' | 'tactic') => ({ file, ...at(field), path: `/mitre/${i}/${field}` });
    const technique = catalog.technique(entry.technique);
    if (!technique) {
      const parent = entry.technique.split('.')[0]!;
      const hint = catalog.technique(parent)
        ? `${parent} (${catalog.technique(parent)!.name}) exists; check its sub-technique numbers`
        : undefined;
      out.push({
        ...base('technique'), severity: 'error', code: 'attack/unknown-technique',
        message: `${entry.technique} is not a technique in MITRE ATT&CK Enterprise v${catalog.version}`,
        ...(hint ? { hint } : {}),
      });
      return;
    }
    if (technique.revoked) {
      const replacement = catalog.replacementOf(technique.id);
      out.push({
        ...base('technique'), severity: 'error', code: 'attack/revoked-technique',
        message: `${technique.id} (${technique.name}) was revoked in ATT&CK${replacement ? `; it is now ${replacement.id} (${replacement.name})` : ''}`,
        hint: replacement ? `use \`technique: ${replacement.id}\`` : 'pick the current technique that covers this behaviour',
      });
      return;
    }
    if (technique.deprecated) {
      out.push({
        ...base('technique'), severity: 'warning', code: 'attack/deprecated-technique',
        message: `${technique.id} (${technique.name}) is deprecated in ATT&CK v${catalog.version} and has no replacement`,
        hint: 'map the detection to a current technique; deprecated ones disappear from the Navigator matrix',
      });
    }
    if (entry.tactic && !technique.tactics.includes(entry.tactic)) {
      out.push({
        ...base('tactic'), severity: 'error', code: 'attack/tactic-mismatch',
        message: `${technique.id} (${technique.name}) does not belong to tactic ${entry.tactic}`,
        hint: `its tactics are: ${technique.tactics.join(', ')} (or leave \`tactic\` out to map all of them)`,
      });
    }
  });
  const seen = new Map<string, number>();
  detection.mitre.forEach((entry, i) => {
    const key = `${entry.technique}/${entry.tactic ?? ''}`;
    if (seen.has(key)) {
      out.push({
        file, ...source.positionOf(['mitre', i]), path: `/mitre/${i}`, severity: 'warning', code: 'attack/duplicate-mapping',
        message: `${entry.technique} is mapped twice (also at /mitre/${seen.get(key)})`,
      });
    } else seen.set(key, i);
  });
  return out;
}

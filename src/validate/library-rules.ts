/** Rules across the whole library: ids and names must be unique, or two files would deploy as one rule. */
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import type { LoadedDetection } from '../detection/library.ts';

export function checkUniqueness(detections: readonly LoadedDetection[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const field of ['id', 'name'] as const) {
    const first = new Map<string, LoadedDetection>();
    for (const loaded of detections) {
      const value = field === 'id' ? loaded.detection.id.toLowerCase() : loaded.detection.name.trim().toLowerCase();
      const previous = first.get(value);
      if (!previous) {
        first.set(value, loaded);
        continue;
      }
      const pos = loaded.source.positionOf([field]);
      const prevPos = previous.source.positionOf([field]);
      out.push({
        file: loaded.file, line: pos.line, column: pos.column, path: `/${field}`, severity: 'error',
        code: `library/duplicate-${field}`,
        message: `${field} ${JSON.stringify(loaded.detection[field])} is already used by ${previous.file}:${prevPos.line}`,
        hint: field === 'id' ? 'every detection needs its own UUID; generate a new one for the copy' : 'rule names must be unique in a workspace/tenant',
      });
    }
  }
  return out;
}

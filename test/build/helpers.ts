import { loadLibrary, type LoadedDetection } from '../../src/detection/library.ts';
import { loadSourceText } from '../../src/detection/load-file.ts';
import { checkDetectionSchema } from '../../src/detection/schema-check.ts';
import type { Detection } from '../../src/detection/types.ts';
import { repoPath } from '../../src/paths.ts';
import { stringify } from 'yaml';

export const library = (): LoadedDetection[] => loadLibrary([repoPath('detections')]).detections;

export function byName(name: string): LoadedDetection {
  const found = library().find((d) => d.detection.name === name);
  if (!found) throw new Error(`no detection named ${name}`);
  return found;
}

/** A LoadedDetection from an in-memory object (through the real loader, so positions exist). */
export function loaded(detection: Detection, file = 'detections/test.yaml'): LoadedDetection {
  const source = loadSourceText(file, stringify(detection));
  const { detection: checked, diagnostics } = checkDetectionSchema(source);
  if (!checked) throw new Error(`test detection invalid: ${JSON.stringify(diagnostics)}`);
  return { file, detection: checked, source: source.source! };
}

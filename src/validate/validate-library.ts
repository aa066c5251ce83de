/** The validation pipeline: load → schema → ATT&CK → KQL per platform → platform and test rules → library-wide rules. */
import { sortDiagnostics, type Diagnostic } from '../diagnostics/diagnostic.ts';
import { loadLibrary, type LoadedDetection } from '../detection/library.ts';
import type { KqlAnalysis } from '../kql/analyzer.ts';
import type { Platform } from '../kql/table-schemas.ts';
import { checkAttack } from './attack-rules.ts';
import { checkKql } from './kql-rules.ts';
import { checkUniqueness } from './library-rules.ts';
import { checkPlatformRules } from './platform-rules.ts';
import { checkTests } from './test-rules.ts';

export interface ValidatedDetection extends LoadedDetection {
  analyses: Map<Platform, KqlAnalysis>;
  diagnostics: Diagnostic[];
}

export interface ValidationResult {
  files: number;
  detections: ValidatedDetection[];
  diagnostics: Diagnostic[];
}

export interface ValidateOptions {
  /** Called after each detection, for progress display. */
  onProgress?: (done: number, total: number, file: string) => void;
}

export function validateDetection(loaded: LoadedDetection): ValidatedDetection {
  const kql = checkKql(loaded);
  const diagnostics = [...checkAttack(loaded), ...kql.diagnostics, ...checkPlatformRules(loaded, kql.analyses), ...checkTests(loaded)];
  return { ...loaded, analyses: kql.analyses, diagnostics };
}

export function validateLibrary(paths: readonly string[] = [], options: ValidateOptions = {}): ValidationResult {
  const library = loadLibrary(paths);
  const diagnostics = [...library.diagnostics];
  const detections = library.detections.map((loaded, i) => {
    const validated = validateDetection(loaded);
    options.onProgress?.(i + 1, library.detections.length, loaded.file);
    diagnostics.push(...validated.diagnostics);
    return validated;
  });
  diagnostics.push(...checkUniqueness(detections));
  return { files: library.files.length, detections, diagnostics: sortDiagnostics(diagnostics) };
}

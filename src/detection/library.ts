/** Finds detection files and loads them into checked Detection objects, keeping each file's source map. */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { loadSourceFile, type SourceFile } from './load-file.ts';
import { checkDetectionSchema } from './schema-check.ts';
import type { Detection } from './types.ts';
import type { YamlSource } from './yaml-source.ts';

export const DEFAULT_DETECTION_DIR = 'detections';

export interface LoadedDetection {
  /** Path for messages (relative to cwd when under it). */
  file: string;
  detection: Detection;
  source: YamlSource;
}

export interface Library {
  files: SourceFile[];
  /** Detections that parsed and passed the schema. */
  detections: LoadedDetection[];
  /** File-level problems: unreadable, bad YAML, schema failures, missing paths. */
  diagnostics: Diagnostic[];
}

const YAML_FILE = /\.ya?ml$/i;

/** Expands files and directories (recursively) into detection file paths, sorted for stable output. */
export function discoverDetectionFiles(paths: readonly string[]): { files: string[]; diagnostics: Diagnostic[] } {
  const files = new Set<string>();
  const diagnostics: Diagnostic[] = [];
  const visit = (p: string, explicit: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      diagnostics.push({ file: p, line: 1, column: 1, path: '', severity: 'error', code: 'file/not-found', message: 'no such file or directory' });
      return;
    }
    if (st.isDirectory()) {
      for (const entry of readdirSync(p).sort()) {
        if (entry.startsWith('.') || entry === 'node_modules') continue;
        visit(join(p, entry), false);
      }
    } else if (explicit || YAML_FILE.test(p)) {
      files.add(displayPath(p));
    }
  };
  for (const p of paths.length ? paths : [DEFAULT_DETECTION_DIR]) visit(p, true);
  return { files: [...files].sort(), diagnostics };
}

export function displayPath(p: string): string {
  const rel = relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel.split('\\').join('/') : p;
}

export function loadLibrary(paths: readonly string[] = []): Library {
  const { files: filePaths, diagnostics } = discoverDetectionFiles(paths);
  const files: SourceFile[] = [];
  const detections: LoadedDetection[] = [];
  for (const path of filePaths) {
    const file = loadSourceFile(path);
    files.push(file);
    diagnostics.push(...file.diagnostics);
    const { detection, diagnostics: schemaDiagnostics } = checkDetectionSchema(file);
    diagnostics.push(...schemaDiagnostics);
    if (detection && file.source) detections.push({ file: path, detection, source: file.source });
  }
  return { files, detections, diagnostics };
}

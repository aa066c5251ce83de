/** Checks parsed detection data against schemas/detection.schema.json and explains failures in YAML terms. */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { repoPath } from '../paths.ts';
import type { Diagnostic } from '../diagnostics/diagnostic.ts';
import { closest } from '../util/did-you-mean.ts';
import type { SourceFile } from './load-file.ts';
import type { Detection } from './types.ts';

// ajv-formats is published as CJS with a default export; under NodeNext the callable sits on `.default`.
type AddFormats = (ajv: Ajv2020) => Ajv2020;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

let validator: ValidateFunction | undefined;
let schemaJson: Record<string, unknown> | undefined;

export function detectionSchema(): Record<string, unknown> {
  schemaJson ??= JSON.parse(readFileSync(repoPath('schemas/detection.schema.json'), 'utf8')) as Record<string, unknown>;
  return schemaJson;
}

/** An ajv instance configured the way every schema in this repo is checked: 2020-12, strict, all errors. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, verbose: true });
  addFormats(ajv);
  return ajv;
}

function compiled(): ValidateFunction {
  validator ??= createAjv().compile(detectionSchema());
  return validator;
}

export interface SchemaCheckResult {
  detection: Detection | null;
  diagnostics: Diagnostic[];
}

export function checkDetectionSchema(file: SourceFile): SchemaCheckResult {
  if (!file.source || file.diagnostics.length) return { detection: null, diagnostics: [] };
  const data = file.data;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      detection: null,
      diagnostics: [
        {
          file: file.path, line: 1, column: 1, path: '', severity: 'error', code: 'schema/type',
          message: 'a detection file must be a YAML mapping (key: value pairs) at the top level',
          hint: 'Start from an existing file under detections/.',
        },
      ],
    };
  }
  const validate = compiled();
  if (validate(data)) return { detection: data as Detection, diagnostics: [] };
  const diagnostics = explain(file, validate.errors ?? []);
  return { detection: null, diagnostics };
}

function explain(file: SourceFile, errors: ErrorObject[]): Diagnostic[] {
  const source = file.source!;
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  // if/then and oneOf wrappers repeat what their inner errors already say.
  const useful = errors.filter((e) => e.keyword !== 'if' && !(e.keyword === 'oneOf' && errors.some((o) => o !== e && o.instancePath.startsWith(e.instancePath))));
  for (const e of useful) {
    const path = pointerToPath(e.instancePath);
    let message = `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`;
    let hint: string | undefined;
    let at = source.positionOf(path);
    let pointer = e.instancePath;
    switch (e.keyword) {
      case 'additionalProperties': {
        const extra = String((e.params as { additionalProperty: string }).additionalProperty);
        pointer = `${e.instancePath}/${extra}`;
        at = source.positionOf([...path, extra], 'key');
        message = `unknown field \`${extra}\`${e.instancePath ? ` in ${e.instancePath}` : ''}`;
        const allowed = allowedKeys(e.parentSchema);
        const guess = closest(extra, allowed);
        hint = guess ? `did you mean \`${guess}\`?` : allowed.length ? `allowed fields: ${allowed.join(', ')}` : undefined;
        break;
      }
      case 'required': {
        const missing = String((e.params as { missingProperty: string }).missingProperty);
        message = `missing required field \`${missing}\`${e.instancePath ? ` in ${e.instancePath}` : ''}`;
        break;
      }
      case 'enum': {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
        const value = valueAt(file.data, path);
        message = `${e.instancePath} must be one of: ${allowed.join(', ')} (got ${JSON.stringify(value)})`;
        const guess = typeof value === 'string' ? closest(value, allowed) : undefined;
        if (guess) hint = `did you mean \`${guess}\`?`;
        break;
      }
      case 'pattern': {
        const value = valueAt(file.data, path);
        message = `${e.instancePath} has an invalid value ${JSON.stringify(value)}`;
        hint = patternHint(e.instancePath, e.parentSchema);
        break;
      }
      case 'format': {
        const format = String((e.params as { format: string }).format);
        message = `${e.instancePath} must be a valid ${format}`;
        hint = format === 'uuid' ? 'Generate one with `node -e "console.log(crypto.randomUUID())"`; never change it once deployed.' : format === 'date-time' ? 'Use ISO-8601 with a zone, e.g. 2026-01-15T10:00:00Z.' : format === 'date' ? 'Use YYYY-MM-DD.' : undefined;
        break;
      }
      default:
        break;
    }
    const key = `${pointer}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      file: file.path, line: at.line, column: at.column, path: pointer, severity: 'error',
      code: `schema/${e.keyword}`, message, ...(hint ? { hint } : {}),
    });
  }
  return out;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function valueAt(data: unknown, path: (string | number)[]): unknown {
  let v: unknown = data;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k as string] : undefined;
  return v;
}

function allowedKeys(parentSchema: unknown): string[] {
  const props = (parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props ? Object.keys(props) : [];
}

function patternHint(pointer: string, parentSchema: unknown): string | undefined {
  const description = (parentSchema as { description?: string } | undefined)?.description;
  if (/technique$/.test(pointer)) return 'ATT&CK ids look like T1071 or T1071.001.';
  if (/version$/.test(pointer)) return 'Use a semantic version, e.g. 1.0.0.';
  if (description?.includes('ISO-8601')) return 'Durations are ISO-8601: PT5M, PT1H, PT12H, P1D (not 1h or 5m).';
  return description;
}

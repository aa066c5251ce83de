/** Serialises a detection as a YAML file in our format, with the schema modeline editors use. */
import { relative, dirname, join } from 'node:path';
import { stringify } from 'yaml';
import type { Detection } from '../detection/types.ts';
import { repoPath } from '../paths.ts';

export function detectionYaml(detection: Detection, outFile: string, header: string[] = []): string {
  const schema = relative(dirname(outFile), join(repoPath('schemas'), 'detection.schema.json')).split('\\').join('/');
  const comments = header.map((h) => `# ${h.replace(/\r?\n/g, ' ')}`).join('\n');
  // lineWidth 0: never fold long lines, so queries and descriptions keep their exact text.
  return `# yaml-language-server: $schema=${schema}\n${comments ? comments + '\n' : ''}${stringify(detection, { lineWidth: 0, blockQuote: 'literal' })}`;
}

/**
 * YAML parsing that keeps source positions, so every diagnostic can name a line and column.
 *
 * Uses the `yaml` package rather than js-yaml because it exposes the node tree with offsets (js-yaml only
 * returns plain values), limits alias expansion (YAML bombs), and rejects duplicate keys.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document, type Node } from 'yaml';

export interface SourcePosition {
  line: number;
  column: number;
}

export interface YamlParseError {
  message: string;
  position: SourcePosition;
  code: string;
}

export interface YamlSource {
  text: string;
  data: unknown;
  errors: YamlParseError[];
  warnings: YamlParseError[];
  /** Position of the value at `path`, or of the nearest ancestor that exists. */
  positionOf(path: readonly (string | number)[], which?: 'key' | 'value'): SourcePosition;
  /**
   * The text of the unquoted scalar at `path` as written (`007`, `1.10`, `0x1F`), or undefined when the value there
   * is not a plain scalar. YAML reads such text as a number, which loses what a string column should hold.
   */
  writtenText(path: readonly (string | number)[]): string | undefined;
  /** Maps an offset inside the string scalar at `path` to a file position: exact for `|` blocks and verbatim scalars, else the scalar's start. */
  positionInScalar(path: readonly (string | number)[], offset: number): SourcePosition;
}

const MAX_ALIAS_COUNT = 100;

export function parseYamlSource(text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
    keepSourceTokens: true,
  });
  const toPos = (offset: number): SourcePosition => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const errors: YamlParseError[] = doc.errors.map((e) => ({ message: firstLine(e.message), position: toPos(e.pos[0]), code: e.code }));
  const warnings: YamlParseError[] = doc.warnings.map((e) => ({ message: firstLine(e.message), position: toPos(e.pos[0]), code: e.code }));
  let data: unknown = null;
  if (errors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      errors.push({ message: (err as Error).message, position: { line: 1, column: 1 }, code: 'ALIAS_LIMIT' });
    }
  }

  const positionOf: YamlSource['positionOf'] = (path, which = 'value') => {
    const { node, keyNode, depth } = walk(doc, path);
    const target = which === 'key' && depth === path.length && keyNode ? keyNode : node ?? keyNode;
    const offset = target?.range?.[0] ?? 0;
    return toPos(offset);
  };

  const positionInScalar: YamlSource['positionInScalar'] = (path, offset) => {
    const { node, depth } = walk(doc, path);
    if (!node || depth !== path.length || !isScalar(node) || !node.range) return positionOf(path);
    return toPos(scalarSourceOffset(text, node, offset));
  };

  const writtenText: YamlSource['writtenText'] = (path) => {
    const { node, depth } = walk(doc, path, true);
    if (!node || depth !== path.length || !isScalar(node) || node.type !== Scalar.PLAIN || !node.range) return undefined;
    return text.slice(node.range[0], node.range[1]).trim();
  };

  return { text, data, errors, warnings, positionOf, positionInScalar, writtenText };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

/**
 * The node at `path`. Positions stop at an alias (`*r` is where the value is used); with `throughAliases` the walk
 * continues into the anchored node, for what the value *is* (an anchored `007` is still written `007`).
 */
function walk(doc: Document, path: readonly (string | number)[], throughAliases = false): { node: Node | null; keyNode: Node | null; depth: number } {
  let node: unknown = doc.contents;
  let keyNode: Node | null = null;
  let depth = 0;
  const resolved = (n: unknown) => (throughAliases && isAlias(n) ? n.resolve(doc) ?? n : n);
  for (const key of path) {
    node = resolved(node);
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (item === undefined) break;
      keyNode = null;
      node = item;
    } else break;
    depth++;
  }
  return { node: (resolved(node) as Node | null) ?? null, keyNode, depth };
}

/**
 * Offset in the file of character `offset` of a scalar's value. Block literals (`|`) keep lines verbatim
 * after removing the indentation, so the mapping is exact there, as it is for a value written verbatim.
 */
function scalarSourceOffset(text: string, node: Scalar, offset: number): number {
  const [start, valueEnd] = node.range!;
  const value = String(node.value);
  const before = value.slice(0, offset);
  const lineInValue = before.split('\n').length - 1;
  const colInValue = offset - (before.lastIndexOf('\n') + 1);
  if (node.type === Scalar.BLOCK_LITERAL) {
    // Skip the header line (`|`, `|-`, `>+2` …), then count content lines, skipping none: blank lines
    // in the value are blank lines in the source.
    let pos = text.indexOf('\n', start) + 1;
    for (let i = 0; i < lineInValue && pos > 0 && pos < valueEnd; i++) pos = text.indexOf('\n', pos) + 1;
    const lineEnd = text.indexOf('\n', pos);
    const line = text.slice(pos, lineEnd === -1 ? undefined : lineEnd);
    const indent = line.length - line.trimStart().length;
    const valueLine = value.split('\n')[lineInValue] ?? '';
    const extraIndent = Math.max(0, valueLine.length - valueLine.trimStart().length);
    return pos + Math.max(0, indent - extraIndent) + colInValue;
  }
  // Folded blocks, escapes in double quotes and flow scalars over several lines (joined with spaces) make the
  // value's characters differ from the source's: only a value written verbatim maps exactly. Otherwise the scalar's
  // own position is given, coarse but never a line of some other field.
  const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? 1 : 0;
  const verbatim = node.type !== Scalar.BLOCK_FOLDED && text.slice(start + quoted, start + quoted + value.length) === value;
  return verbatim ? start + quoted + offset : start;
}

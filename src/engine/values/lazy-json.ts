/**
 * JSON text whose members are read without parsing the whole document. Zeek's AdditionalFields carry a dozen
 * fields of which a detection reads two or three; JSON.parse builds all of them on every row, which dominated
 * the engine's time on the benchmark. The compiler only stores a LazyJson in a column whose every use is a
 * member access (see compiler/lazy-json.ts), so the value itself never leaves the engine.
 *
 * The result is exactly JSON.parse's: the fast path is taken only for an object whose text has no backslash
 * and no control character (so every string is its own text), it validates the whole document's grammar
 * as it indexes the top-level members, and duplicate keys resolve to the last one. Anything else falls back
 * to parsing the whole text.
 */
import { parseJson } from '../functions/dynamic.ts';

const ESCAPES_OR_CONTROLS = /[\\\u0000-\u001f]/;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export class LazyJson {
  /** Top-level members as [keyStart, keyEnd, valueStart, valueEnd] quadruples; null when the fast path does not apply. */
  private index: number[] | null | undefined;
  private parsed: unknown;
  private isParsed = false;

  constructor(readonly text: string) {}

  /** The whole value, as todynamic(text) would give it. */
  value(): unknown {
    if (!this.isParsed) {
      this.parsed = parseJson(this.text);
      this.isParsed = true;
    }
    return this.parsed;
  }

  /** `value()[key]` for a top-level key of an object, null when absent; undefined when the caller must use value(). */
  member(key: string): unknown {
    if (this.index === undefined) this.index = this.isParsed ? null : indexObject(this.text);
    const index = this.index;
    if (index === null) return undefined;
    const text = this.text;
    for (let i = index.length - 4; i >= 0; i -= 4) {
      const start = index[i]!;
      if (index[i + 1]! - start === key.length && text.startsWith(key, start)) return decode(text, index[i + 2]!, index[i + 3]!);
    }
    return null;
  }
}

function decode(text: string, start: number, end: number): unknown {
  const c = text.charCodeAt(start);
  if (c === 34 /* " */) return text.slice(start + 1, end - 1);
  if (c === 116 /* t */) return true;
  if (c === 102 /* f */) return false;
  if (c === 110 /* n */) return null;
  if (c === 123 /* { */ || c === 91 /* [ */) return JSON.parse(text.slice(start, end));
  return Number(text.slice(start, end));
}

/** Validates `text` as one JSON object (fast-path subset) and returns its top-level members, or null. */
export function indexObject(raw: string): number[] | null {
  const text = raw.trim();
  if (text !== raw || text.charCodeAt(0) !== 123 || ESCAPES_OR_CONTROLS.test(text)) return null;
  const members: number[] = [];
  const end = scanObject(text, 0, members);
  return end === text.length ? members : null;
}

function skipSpaces(text: string, i: number): number {
  while (text.charCodeAt(i) === 32) i++;
  return i;
}

/** Scans the object at `i`; returns the index after it, or -1 when the text is not valid JSON. */
function scanObject(text: string, i: number, members: number[] | null): number {
  i = skipSpaces(text, i + 1);
  if (text.charCodeAt(i) === 125 /* } */) return i + 1;
  for (;;) {
    if (text.charCodeAt(i) !== 34) return -1;
    const keyEnd = text.indexOf('"', i + 1);
    if (keyEnd < 0) return -1;
    const keyStart = i + 1;
    i = skipSpaces(text, keyEnd + 1);
    if (text.charCodeAt(i) !== 58 /* : */) return -1;
    const valueStart = skipSpaces(text, i + 1);
    const valueEnd = scanValue(text, valueStart);
    if (valueEnd < 0) return -1;
    members?.push(keyStart, keyEnd, valueStart, valueEnd);
    i = skipSpaces(text, valueEnd);
    const c = text.charCodeAt(i);
    if (c === 125) return i + 1;
    if (c !== 44 /* , */) return -1;
    i = skipSpaces(text, i + 1);
  }
}

function scanArray(text: string, i: number): number {
  i = skipSpaces(text, i + 1);
  if (text.charCodeAt(i) === 93 /* ] */) return i + 1;
  for (;;) {
    const end = scanValue(text, i);
    if (end < 0) return -1;
    i = skipSpaces(text, end);
    const c = text.charCodeAt(i);
    if (c === 93) return i + 1;
    if (c !== 44) return -1;
    i = skipSpaces(text, i + 1);
  }
}

function scanValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  switch (c) {
    case 34: {
      const end = text.indexOf('"', i + 1);
      return end < 0 ? -1 : end + 1;
    }
    case 123: return scanObject(text, i, null);
    case 91: return scanArray(text, i);
    case 116: return text.startsWith('true', i) ? i + 4 : -1;
    case 102: return text.startsWith('false', i) ? i + 5 : -1;
    case 110: return text.startsWith('null', i) ? i + 4 : -1;
    default: {
      NUMBER.lastIndex = i;
      return NUMBER.test(text) ? NUMBER.lastIndex : -1;
    }
  }
}

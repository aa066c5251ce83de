/** parse_json/todynamic: JSON text → value; text that is not JSON stays a string, as in Kusto. */
export function parseJson(v: unknown): unknown {
  if (typeof v !== 'string') return v ?? null;
  const s = v.trim();
  if (s === '') return null;
  try {
    return JSON.parse(s);
  } catch {
    return v;
  }
}

/**
 * Kusto's dynamic literals are JSON written with Kusto's string literals: single-quoted ('a'), double-quoted
 * with Kusto escapes, verbatim (@'C:\dir', @"x", a doubled quote standing for one) and obfuscated (h'…'), with
 * values that may be nested dynamic(...) literals. Each string is decoded to its value and re-encoded as a JSON string, then the text is parsed as JSON.
 */
export function parseDynamicLiteral(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(requote(text));
  }
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '/': '/', b: '\b', f: '\f', '0': '\0' };

function requote(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const prefixed = (ch === '@' || ch === 'h' || ch === 'H') && (text[i + 1] === "'" || text[i + 1] === '"');
    if (ch !== "'" && ch !== '"' && !prefixed) {
      // A nested dynamic(...) is its content: JSON has no parentheses outside strings, so drop the wrapper's.
      if (text.startsWith('dynamic(', i)) i += 'dynamic('.length;
      else {
        if (ch !== ')') out += ch;
        i++;
      }
      continue;
    }
    const verbatim = ch === '@';
    if (prefixed) i++;
    const quote = text[i]!;
    let value = '';
    let j = i + 1;
    for (;;) {
      if (j >= text.length) throw new SyntaxError(`unterminated string in dynamic literal ${text}`);
      const c = text[j]!;
      if (c === quote) {
        if (verbatim && text[j + 1] === quote) {
          value += quote;
          j += 2;
          continue;
        }
        break;
      }
      if (c === '\\' && !verbatim) {
        const e = text[j + 1] ?? '';
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) {
          value += String.fromCharCode(parseInt(text.slice(j + 2, j + 6), 16));
          j += 6;
          continue;
        }
        const decoded = ESCAPES[e];
        if (decoded === undefined) throw new SyntaxError(`invalid escape \\${e} in dynamic literal ${text}`);
        value += decoded;
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
    out += JSON.stringify(value);
    i = j + 1;
  }
  return out;
}

/**
 * Kusto's dynamic literals are JSON with Kusto string rules: strings may be single-quoted
 * (dynamic({'a':'b'})). This rewrites single-quoted strings to JSON strings before JSON.parse.
 */
export function parseDynamicLiteral(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(requote(text));
  }
}

function requote(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      // Copy a double-quoted string as is, honouring escapes.
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (ch === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== "'") {
        if (text[j] === '\\' && j + 1 < text.length) {
          value += JSON.parse(`"\\${text[j + 1] === "'" ? 'u0027' : text[j + 1]}"`);
          j += 2;
        } else value += text[j++];
      }
      out += JSON.stringify(value);
      i = j;
    } else out += ch;
  }
  return out;
}

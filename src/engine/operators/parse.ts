/**
 * parse, kinds simple (the default) and relaxed: `parse Expr with "lit" Col:type * "lit" Rest`. String literals must
 * appear in order; `*` skips text. A string column captures the text up to the next literal (the last one, the rest);
 * an int/long column captures digits (`-?\d+`: the docs' regex-mode translation, whose printed `\-\d+` cannot be
 * what runs, since the page's own example parses `totalSlices=27`); other types capture up to the next literal and
 * are converted. A capture that is not a value of its type (a guid that is not 32 hex digits, 2021-02-30, an int
 * beyond 32 bits) fails: the docs require all extended columns to "match the required types". simple is strict: a
 * row where the delimiters are missing or any column fails its type gets empty columns; relaxed only nulls the
 * columns that fail (both as the docs' relaxed example shows). kind=regex is refused: its greediness and its
 * patterns for types other than string and long are not documented consistently.
 */
import type { BridgeObject } from '../../kql/kusto-language.ts';
import { kind, listItems, textOf, unsupported, type CompileContext, type RowStep, RowScope } from '../compiler/context.ts';
import type { ScalarCompiler } from '../compiler/scalar.ts';
import { fromInput, toKustoString, type Column, type Value } from '../values/types.ts';

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileParse(ctx: CompileContext, node: BridgeObject, input: Column[], out: Column[], scalars: ScalarCompiler): RowStep {
  let relaxed = false;
  for (const p of listItems(node.Parameters)) {
    const value = textOf(ctx, p.Expression).trim().toLowerCase();
    if (String(p.Name?.SimpleName ?? '').toLowerCase() !== 'kind' || (value !== 'simple' && value !== 'relaxed')) unsupported(ctx, p, `parse ${textOf(ctx, p)}`);
    relaxed = value === 'relaxed';
  }
  const source = scalars.scalar(node.Expression, new RowScope(input));
  const patterns = listItems(node.Patterns);
  const captures: string[] = [];
  let regex = '^';
  patterns.forEach((p: BridgeObject, i: number) => {
    const k = kind(p);
    const last = i === patterns.length - 1;
    if (k === 'StringLiteralExpression') regex += escape(String(p.LiteralValue));
    else if (k === 'StarExpression') regex += last ? '[\\s\\S]*' : '[\\s\\S]*?';
    else if (k === 'NameAndTypeDeclaration' || k === 'NameDeclaration') {
      const name = String(k === 'NameDeclaration' ? p.SimpleName : p.Name.SimpleName);
      captures.push(name);
      const type = out.find((c) => c.name === name)?.type ?? 'string';
      const any = last ? '[\\s\\S]*' : '[\\s\\S]*?';
      if (type === 'int' || type === 'long') regex += relaxed ? `(-?\\d+|${any})` : '(-?\\d+)';
      else {
        const next = patterns[i + 1];
        if (type !== 'string' && next && kind(next) !== 'StringLiteralExpression') unsupported(ctx, p, `parse: a ${type} column followed by ${textOf(ctx, next).trim()} (only a literal delimits it; Kusto's pattern for the type is not documented)`);
        regex += `(${any})`;
      }
    } else unsupported(ctx, p, `parse pattern ${textOf(ctx, p)}`);
  });
  const re = new RegExp(regex);
  // Output column i comes from input column j (>= 0) or capture -(k + 1).
  const sources = out.map((c) => {
    const k = captures.indexOf(c.name);
    if (k >= 0) return -(k + 1);
    const j = input.findIndex((x) => x.name === c.name);
    if (j < 0) unsupported(ctx, node, `parse output column ${c.name}`);
    return j;
  });
  const FAILED = Symbol('failed');
  const convert = (text: string | undefined, type: Column['type']): Value | typeof FAILED => {
    if (text === undefined) return type === 'string' ? '' : null;
    if (type === 'string') return text;
    try {
      const v = fromInput(text, type);
      return type === 'int' && ((v as number) < INT_MIN || (v as number) > INT_MAX) ? FAILED : v;
    } catch {
      return FAILED;
    }
  };
  const empty = (type: Column['type']) => (type === 'string' ? '' : null);
  return (rt, emit) => (row) => {
    const m = re.exec(toKustoString(source.fn(row, rt), source.type));
    const values = sources.map((src, c) => (src >= 0 ? row[src] : convert(m ? m[-src] : undefined, out[c]!.type)));
    // simple: one column failing its type fails the whole match; relaxed: only that column is null.
    const failed = values.includes(FAILED);
    return emit(values.map((v, c) => (v === FAILED || (failed && !relaxed && sources[c]! < 0) ? empty(out[c]!.type) : v)));
  };
}

/**
 * parse (simple kind, the default): `parse Expr with "lit" Col:type * "lit" Rest`. String literals must
 * appear in order; each column captures the text up to the next literal (the last one, the rest of the text);
 * `*` skips text. A row whose text does not match gets empty/null columns, as in Kusto. kind=regex and
 * kind=relaxed are refused.
 */
import type { BridgeObject } from '../../kql/kusto-language.ts';
import { kind, listItems, textOf, unsupported, type CompileContext, type RowStep, RowScope } from '../compiler/context.ts';
import type { ScalarCompiler } from '../compiler/scalar.ts';
import { fromInput, toKustoString, type Column, type Value } from '../values/types.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function compileParse(ctx: CompileContext, node: BridgeObject, input: Column[], out: Column[], scalars: ScalarCompiler): RowStep {
  for (const p of listItems(node.Parameters)) {
    const value = textOf(ctx, p.Expression).trim().toLowerCase();
    if (String(p.Name?.SimpleName ?? '').toLowerCase() !== 'kind' || value !== 'simple') unsupported(ctx, p, `parse ${textOf(ctx, p)}`);
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
      captures.push(String(k === 'NameDeclaration' ? p.SimpleName : p.Name.SimpleName));
      regex += last ? '([\\s\\S]*)' : '([\\s\\S]*?)';
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
  const convert = (text: string | undefined, type: Column['type']): Value => {
    if (text === undefined) return type === 'string' ? '' : null;
    if (type === 'string') return text;
    try {
      return fromInput(text, type);
    } catch {
      return null;
    }
  };
  return (rt, emit) => (row) => {
    const m = re.exec(toKustoString(source.fn(row, rt), source.type));
    return emit(sources.map((src, c) => (src >= 0 ? row[src] : convert(m ? m[-src] : undefined, out[c]!.type))));
  };
}

/**
 * Decides where an extend may store a column as LazyJson (values/lazy-json.ts) instead of a parsed dynamic:
 * `extend C = todynamic(S)` or `parse_json(S)` with S a string, when every reference to C anywhere in the query
 * is the base of a member access (C.key, C['key']) and the rows carrying C pass only through where, extend,
 * sort, top and take before an operator whose output no longer has a column C (project, summarize…). Then no
 * LazyJson can reach a result, a join, a union, a let or a function: anything else keeps the eager parse.
 */
import type { BridgeObject } from '../../kql/kusto-language.ts';
import { columnsOfType, kind, listItems } from './context.ts';

const PASS_THROUGH = new Set(['FilterOperator', 'ExtendOperator', 'SortOperator', 'TopOperator', 'TakeOperator']);
const PARSERS = new Set(['todynamic', 'parse_json']);

const sameNode = (a: BridgeObject, b: BridgeObject | undefined) => b !== undefined && b !== null && a.TextStart === b.TextStart && a.Width === b.Width && a.Kind === b.Kind;

/** NameReferences of a query, by name; computed once per syntax root. */
const referencesByRoot = new WeakMap<BridgeObject, Map<string, BridgeObject[]>>();

function referencesOf(root: BridgeObject): Map<string, BridgeObject[]> {
  let refs = referencesByRoot.get(root);
  if (refs) return refs;
  refs = new Map();
  const stack = [root];
  while (stack.length) {
    const node = stack.pop()!;
    if (kind(node) === 'NameReference') {
      const name = String(node.SimpleName);
      refs.get(name)?.push(node) ?? refs.set(name, [node]);
    }
    for (let i = 0; i < node.ChildCount; i++) {
      const child = node.GetChild(i);
      if (child) stack.push(child);
    }
  }
  referencesByRoot.set(root, refs);
  return refs;
}

/** The argument of `todynamic(S)` / `parse_json(S)` when S is a string expression; null otherwise. */
export function stringJsonParseArgument(expr: BridgeObject, isUserFunction: (name: string) => boolean): BridgeObject | null {
  if (kind(expr) !== 'FunctionCallExpression') return null;
  const name = String(expr.Name?.SimpleName ?? '');
  if (!PARSERS.has(name.toLowerCase()) || isUserFunction(name)) return null;
  const args = listItems(expr.ArgumentList?.Expressions);
  return args.length === 1 && String(args[0]!.ResultType?.Name) === 'string' ? args[0]! : null;
}

export function memberOnlyColumn(root: BridgeObject, extend: BridgeObject, column: string): boolean {
  for (const ref of referencesOf(root).get(column) ?? []) {
    const parent = ref.Parent;
    const k = parent ? kind(parent) : '';
    if ((k !== 'PathExpression' && k !== 'ElementExpression') || !sameNode(ref, parent.Expression)) return false;
  }
  let pipe = extend.Parent;
  if (!pipe || kind(pipe) !== 'PipeExpression') return false;
  for (;;) {
    const next = pipe.Parent;
    if (!next || kind(next) !== 'PipeExpression' || !sameNode(pipe, next.Expression)) return false;
    const op = next.Operator;
    if (!columnsOfType(op.ResultType).some((c) => c.name === column)) return true;
    if (!PASS_THROUGH.has(kind(op))) return false;
    pipe = next;
  }
}

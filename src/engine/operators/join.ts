/**
 * join, with Kusto's kinds: innerunique (the default: left rows deduplicated by key first), inner,
 * leftouter, rightouter, fullouter, leftanti, rightanti, leftsemi, rightsemi. Output columns come from the
 * bound tree (right-side duplicates renamed, e.g. DeviceId1, by Kusto.Language).
 */
import type { BridgeObject } from '../../kql/kusto-language.ts';
import { kind, listItems, textOf, unsupported, type CompileContext, type Runtime, RowScope } from '../compiler/context.ts';
import type { ScalarCompiler } from '../compiler/scalar.ts';
import { keyOf, type Column, type Value } from '../values/types.ts';

const KINDS = new Set(['innerunique', 'inner', 'leftouter', 'rightouter', 'fullouter', 'leftanti', 'anti', 'leftantisemi', 'rightanti', 'rightantisemi', 'leftsemi', 'rightsemi']);

export function joinKind(ctx: CompileContext, node: BridgeObject, defaultKind = 'innerunique'): string {
  for (const p of listItems(node.Parameters)) {
    if (String(p.Name?.SimpleName ?? '').toLowerCase() === 'kind') {
      const value = textOf(ctx, p.Expression).trim().toLowerCase();
      if (!KINDS.has(value)) unsupported(ctx, p, `join kind=${value}`);
      return value === 'anti' || value === 'leftantisemi' ? 'leftanti' : value === 'rightantisemi' ? 'rightanti' : value;
    }
    unsupported(ctx, p, `join parameter ${textOf(ctx, p)}`);
  }
  return defaultKind;
}

export function compileJoin(ctx: CompileContext, node: BridgeObject, left: Column[], right: Column[], outColumns: Column[], scalars: ScalarCompiler, lookup = false): (l: Value[][], r: Value[][], rt: Runtime) => Value[][] {
  // lookup is a join whose default kind is leftouter (only leftouter and inner are allowed) with a LookupClause.
  const joinKindName = joinKind(ctx, node, lookup ? 'leftouter' : 'innerunique');
  if (lookup && joinKindName !== 'leftouter' && joinKindName !== 'inner') unsupported(ctx, node, `lookup kind=${joinKindName}`);
  const clause = lookup ? node.LookupClause : node.ConditionClause;
  if (kind(clause) !== 'JoinOnClause') unsupported(ctx, clause, 'join … where');
  const leftScope = new RowScope(left);
  const rightScope = new RowScope(right);
  const leftKeys: ((row: Value[]) => Value)[] = [];
  const rightKeys: ((row: Value[]) => Value)[] = [];
  // `on $left.a == $right.b and $left.c == $right.d` is the same as listing the two equalities.
  const conditions: BridgeObject[] = [];
  const flatten = (e: BridgeObject): void => {
    if (kind(e) === 'AndExpression') { flatten(e.Left); flatten(e.Right); } else if (kind(e) === 'ParenthesizedExpression') flatten(e.Expression);
    else conditions.push(e);
  };
  listItems(clause.Expressions).forEach(flatten);
  for (const e of conditions) {
    if (kind(e) === 'NameReference') {
      const name = textOf(ctx, e).trim();
      const li = leftScope.index.get(name);
      const ri = rightScope.index.get(name);
      if (li === undefined || ri === undefined) unsupported(ctx, e, `join key ${name}`);
      leftKeys.push((row) => row[li]);
      rightKeys.push((row) => row[ri]);
    } else if (kind(e) === 'EqualExpression') {
      const side = (operand: BridgeObject): { side: 'left' | 'right'; index: number } => {
        const text = textOf(ctx, operand).replace(/\s+/g, '');
        const m = /^\$(left|right)\.(.+)$/.exec(text);
        if (!m) unsupported(ctx, operand, 'join condition (only $left.x == $right.y)');
        const scope = m[1] === 'left' ? leftScope : rightScope;
        const index = scope.index.get(m[2]!.replace(/^\['|'\]$/g, ''));
        if (index === undefined) unsupported(ctx, operand, `join key ${text}`);
        return { side: m[1] as 'left' | 'right', index };
      };
      const a = side(e.Left);
      const b = side(e.Right);
      const l = a.side === 'left' ? a : b;
      const r = a.side === 'left' ? b : a;
      leftKeys.push((row) => row[l.index]);
      rightKeys.push((row) => row[r.index]);
    } else unsupported(ctx, e, 'join condition');
  }
  void scalars;
  const keyFn = (fns: ((row: Value[]) => Value)[]) => (row: Value[]) => {
    const values = fns.map((f) => f(row));
    // Null keys never match (as in Kusto's hash join).
    return values.some((v) => v === null || v === undefined) ? null : values.map(keyOf).join('\u0002');
  };
  const lk = keyFn(leftKeys);
  const rk = keyFn(rightKeys);
  // Unmatched sides of outer joins are typed nulls; Kusto strings are empty rather than null.
  const nullsLeft = left.map((c) => (c.type === 'string' ? '' : null));
  const nullsRight = right.map((c) => (c.type === 'string' ? '' : null));
  const leftOnly = ['leftanti', 'leftsemi'].includes(joinKindName);
  const rightOnly = ['rightanti', 'rightsemi'].includes(joinKindName);
  const expected = leftOnly ? left.length : rightOnly ? right.length : left.length + right.length;
  if (!lookup && expected !== outColumns.length) unsupported(ctx, node, `join output shape (${expected} vs ${outColumns.length})`);

  return (leftRows, rightRows) => {
    let lrows = leftRows;
    if (joinKindName === 'innerunique') {
      const seen = new Set<string>();
      lrows = leftRows.filter((row) => {
        const k = lk(row);
        if (k === null || seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    }
    const index = new Map<string, Value[][]>();
    for (const row of rightRows) {
      const k = rk(row);
      if (k === null) continue;
      let bucket = index.get(k);
      if (!bucket) index.set(k, (bucket = []));
      bucket.push(row);
    }
    const out: Value[][] = [];
    const matchedRight = new Set<Value[]>();
    for (const row of lrows) {
      const k = lk(row);
      const matches = k === null ? undefined : index.get(k);
      switch (joinKindName) {
        case 'leftsemi': if (matches) out.push(row); break;
        case 'leftanti': if (!matches) out.push(row); break;
        case 'rightsemi': case 'rightanti': if (matches) for (const m of matches) matchedRight.add(m); break;
        case 'leftouter':
          if (matches) for (const m of matches) out.push([...row, ...m]);
          else out.push([...row, ...nullsRight]);
          break;
        case 'rightouter': case 'fullouter':
          if (matches) for (const m of matches) { out.push([...row, ...m]); matchedRight.add(m); }
          else if (joinKindName === 'fullouter') out.push([...row, ...nullsRight]);
          break;
        default:
          if (matches) for (const m of matches) out.push([...row, ...m]);
      }
    }
    if (joinKindName === 'rightsemi') for (const r of rightRows) { if (matchedRight.has(r)) out.push(r); }
    if (joinKindName === 'rightanti') for (const r of rightRows) { if (!matchedRight.has(r)) out.push(r); }
    if (joinKindName === 'rightouter' || joinKindName === 'fullouter') for (const r of rightRows) if (!matchedRight.has(r)) out.push([...nullsLeft, ...r]);
    return out;
  };
}

/**
 * `invoke Name(key?, limit?)` served from a caller-supplied fixture table named Name (FileProfile(),
 * DeviceFromIP() …): each input row is enriched, left-outer, with the fixture row whose key column equals the
 * input's. The key is the input column the first argument names (bare, as Defender documents it, or as a
 * string), else the fixture's first column; the fixture holds it under the same name, or without the
 * `InitiatingProcess` prefix (FileProfile(InitiatingProcessSHA256) matches the profile's SHA256). Output
 * columns come from the bound type (the input's, then the function's).
 */
import type { BridgeObject } from '../../kql/kusto-language.ts';
import { kind, listItems, positionOf, textOf, unsupported, type CompileContext, type RowStep } from '../compiler/context.ts';
import { EngineError, MissingInputError } from '../errors.ts';
import { keyOf, type Column, type Value } from '../values/types.ts';

export function compileInvoke(ctx: CompileContext, node: BridgeObject, input: Column[], out: Column[]): RowStep {
  const call = node.Function;
  if (kind(call) !== 'FunctionCallExpression') unsupported(ctx, node, `invoke ${textOf(ctx, call)}`);
  const name = String(call.Name.SimpleName);
  const args = listItems(call.ArgumentList.Expressions);
  let keyName: string | null = null;
  if (args[0]) {
    // Defender's documented form is a bare column, FileProfile(SHA1); a string literal names it too.
    if (kind(args[0]) === 'NameReference') keyName = String(args[0].SimpleName);
    else if (kind(args[0]) === 'StringLiteralExpression') keyName = String(args[0].LiteralValue);
    else unsupported(ctx, args[0], `invoke ${name}() with a computed key (name the column: ${name}(SHA1))`);
  }
  const { line, column } = positionOf(ctx, node);
  return (rt, emit) => {
    const fixture = rt.tables[name];
    if (!fixture) throw new MissingInputError(`invoke ${name}() needs a fixture table named '${name}'`, { kind: 'table', name }, line, column);
    const inputKey = keyName ?? fixture.columns[0]!.name;
    const has = (n: string) => fixture.columns.some((c) => c.name === n);
    const fixtureKey = has(inputKey) ? inputKey : inputKey.replace(/^InitiatingProcess/, '');
    const fk = fixture.columns.findIndex((c) => c.name === fixtureKey);
    const ik = input.findIndex((c) => c.name === inputKey);
    if (fk < 0 || ik < 0) throw new EngineError(`invoke ${name}(): key column '${inputKey}' must exist in the input, and as '${fixtureKey}' in the fixture table`, line, column);
    const byKey = new Map<string, Value[]>();
    for (const f of fixture.rows) if (!byKey.has(keyOf(f[fk]))) byKey.set(keyOf(f[fk]), f);
    // Fixture columns win over same-named input columns except the key (the binder's extend replaces them).
    const sources = out.map((c) => {
      const fromFixture = fixture.columns.findIndex((x) => x.name === c.name);
      if (fromFixture >= 0 && fromFixture !== fk) return { fixture: true, at: fromFixture, empty: c.type === 'string' ? '' : null };
      return { fixture: false, at: input.findIndex((x) => x.name === c.name), empty: c.type === 'string' ? '' : null };
    });
    return (row) => {
      const hit = byKey.get(keyOf(row[ik]));
      return emit(sources.map((s) => (s.fixture ? (hit ? hit[s.at] : s.empty) : s.at >= 0 ? row[s.at] : s.empty)));
    };
  };
}

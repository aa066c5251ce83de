/** Compiles bound scalar expressions into row functions. */
import { WINDOW_FUNCTIONS, windowFunction } from '../functions/window.ts';
import type { BridgeObject } from '../../kql/kusto-language.ts';
import { SCALAR_FUNCTIONS } from '../functions/registry.ts';
import { EngineError } from '../errors.ts';
import { parseDynamicLiteral } from '../values/json.ts';
import { cast } from '../functions/logic.ts';
import { str } from '../functions/strings.ts';
import { hasPrefix, internedString, hasSuffix, hasTerm, re2, REGEX_ARGUMENT, regexTester } from '../values/strings.ts';
import { parseDateTime, parseTimespan } from '../values/time.ts';
import { keyOf, toDynamic, toKustoString, type KType, type Value } from '../values/types.ts';
import { kind, listItems, positionOf, textOf, typeName, unsupported, type CompileContext, type CompiledScalar, type RowFn, type RowScope, type TabularPlan } from './context.ts';

export interface ScalarCompiler {
  scalar(node: BridgeObject, scope: RowScope): CompiledScalar;
  /**
   * Compiles `node` with some of its subexpressions replaced by given compiled values (summarize compiles
   * `round(avg(x), 2)` with avg(x) read from the aggregate's result). Keys are nodes of `node`'s tree.
   */
  scalarWith(node: BridgeObject, scope: RowScope, replaced: Map<BridgeObject, CompiledScalar>): CompiledScalar;
}

/** Hooks into the tabular compiler (toscalar, `in (subquery)`, user functions returning tables). */
export interface TabularHooks {
  tabular(node: BridgeObject): { plan: TabularPlan };
}

const constant = (value: Value, type: KType): CompiledScalar => {
  const held = typeof value === 'string' ? internedString(value) : value;
  return { fn: () => held, type, constant: true };
};

/** Significant digits of a number literal such as decimal(0012.3400) (4) or 1.5e3 (2). */
function significantDigits(text: string): number {
  const mantissa = /[\d.]+/.exec(text.replace(/^\w+\(/, ''))?.[0] ?? '';
  return mantissa.replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
}

function literal(ctx: CompileContext, node: BridgeObject, type: KType): CompiledScalar {
  const text = textOf(ctx, node).trim();
  if (/^\w+\(\s*null\s*\)$/i.test(text)) return constant(type === 'string' ? '' : null, type);
  const v = node.LiteralValue;
  switch (type) {
    case 'string': return constant(v === null || v === undefined ? '' : String(v), type);
    case 'long': case 'int': case 'decimal': {
      // A double keeps 15 significant digits; Kusto's decimal keeps 28.
      if (type === 'decimal' && significantDigits(text) > 15) unsupported(ctx, node, `decimal literal ${text} (more than 15 significant digits: decimals are not exact in the local engine)`);
      // 0xf is long(15) (long page); Number() of the bound value would miss the hex form.
      const hex = /^0x([0-9a-f]+)$/i.exec(text);
      const value = hex ? parseInt(hex[1]!, 16) : Number(v?.v ?? v);
      // Longs are doubles here: past 2^53 a literal the double cannot hold exactly would silently become a
      // neighbouring value (1546300800000000000 is held exactly; 9007199254740993 is not).
      if (type !== 'decimal' && !Number.isSafeInteger(value) && /^\d+$/.test(text) && BigInt(text) !== BigInt(value)) unsupported(ctx, node, `long literal ${text} (a double cannot hold it exactly; longs are held as doubles in the local engine)`);
      return constant(value, type);
    }
    case 'real': {
      // real(nan), real(+inf), real(-inf) name the special values (the real data type page).
      const special = /^(?:real|double)\(\s*([+-]?)(nan|inf)\s*\)$/i.exec(text);
      if (special) return constant(special[2]!.toLowerCase() === 'nan' ? NaN : special[1] === '-' ? -Infinity : Infinity, type);
      const n = Number(v?.v ?? v);
      return constant(Number.isNaN(n) ? Number(text.replace(/^real\(|\)$/g, '')) : n, type);
    }
    case 'bool': return constant(Boolean(v?.v ?? v), type);
    case 'datetime': {
      // datetime(2015-12-31 23:59:59.9), datetime("2015-12-31T23:59:59Z") and datetime(null) are all literals.
      const inner = (/^datetime\((.*)\)$/is.exec(text)?.[1] ?? text).trim().replace(/^(['"])(.*)\1$/s, '$2');
      if (inner === 'null') return constant(null, type);
      const t = parseDateTime(inner);
      // Kusto.Language binds datetime(2021-02-30) without a diagnostic; it names no instant, so it is an error here.
      if (t === null) {
        const { line, column } = positionOf(ctx, node);
        throw new EngineError(`datetime literal ${text} is not a valid date and time (out of range, or not a form the datetime page lists)`, line, column);
      }
      return constant(t, type);
    }
    case 'timespan': {
      const inner = /^(?:timespan|time)\((.*)\)$/is.exec(text)?.[1] ?? text;
      const t = parseTimespan(inner);
      if (t === null) unsupported(ctx, node, `timespan literal ${text}`);
      return constant(t, type);
    }
    case 'guid': return constant(String(v?.v ?? v ?? '').toLowerCase() || null, type);
    default: return constant(v ?? null, type);
  }
}

/** Values compared by Kusto's rules: dynamic vs string compares text; numbers and ticks numerically. */
function comparable(a: CompiledScalar, b: CompiledScalar): [RowFn, RowFn] {
  const textual = (a.type === 'string' && b.type === 'dynamic') || (a.type === 'dynamic' && b.type === 'string');
  if (textual) return [str(a), str(b)];
  return [a.fn, b.fn];
}

function compareOp(a: CompiledScalar, b: CompiledScalar, test: (c: number) => boolean): RowFn {
  const [fa, fb] = comparable(a, b);
  return (row, rt) => {
    const x = fa(row, rt);
    const y = fb(row, rt);
    if (x === null || y === null || x === undefined || y === undefined) return null;
    return test(x < y ? -1 : x > y ? 1 : 0);
  };
}

function equality(a: CompiledScalar, b: CompiledScalar, negate: boolean, insensitive: boolean): RowFn {
  if (insensitive) {
    const sa = str(a);
    const sb = str(b);
    return (row, rt) => (sa(row, rt).toLowerCase() === sb(row, rt).toLowerCase()) !== negate;
  }
  // `Column == "literal"` (the usual first filter of a detection) compares the row's value directly.
  const [col, lit] = a.column !== undefined && b.constant ? [a, b] : b.column !== undefined && a.constant ? [b, a] : [null, null];
  if (col && lit && col.type === lit.type && col.type !== 'dynamic') {
    const index = col.column!;
    const value = lit.fn([], undefined as never);
    if (value === null || value === undefined) return (row) => (row[index] === null || row[index] === undefined ? null : negate);
    return (row) => {
      const x = row[index];
      return x === null || x === undefined ? negate : (x === value) !== negate;
    };
  }
  const [fa, fb] = comparable(a, b);
  const dynamicCompare = a.type === 'dynamic' && b.type === 'dynamic';
  return (row, rt) => {
    const x = fa(row, rt);
    const y = fb(row, rt);
    // The null-values page: null == value is false and null != value is true; null == null is null.
    const xNull = x === null || x === undefined;
    const yNull = y === null || y === undefined;
    if (xNull || yNull) return xNull && yNull ? null : negate;
    const equal = dynamicCompare ? keyOf(x) === keyOf(y) : x === y;
    return equal !== negate;
  };
}

type StringTest = (hay: string, needle: string) => boolean;
const STRING_OPS: Record<string, StringTest> = {
  HasExpression: (h, n) => hasTerm(h, n),
  HasCsExpression: (h, n) => hasTerm(h, n, true),
  HasPrefixExpression: (h, n) => hasPrefix(h, n),
  HasPrefixCsExpression: (h, n) => hasPrefix(h, n, true),
  HasSuffixExpression: (h, n) => hasSuffix(h, n),
  HasSuffixCsExpression: (h, n) => hasSuffix(h, n, true),
  ContainsExpression: (h, n) => h.toLowerCase().includes(n.toLowerCase()),
  ContainsCsExpression: (h, n) => h.includes(n),
  StartsWithExpression: (h, n) => h.toLowerCase().startsWith(n.toLowerCase()),
  StartsWithCsExpression: (h, n) => h.startsWith(n),
  EndsWithExpression: (h, n) => h.toLowerCase().endsWith(n.toLowerCase()),
  EndsWithCsExpression: (h, n) => h.endsWith(n),
  MatchesRegexExpression: (h, n) => regexTester(n)(h),
};

/**
 * datetime and timespan hold whole ticks (datetime page: "measured in 100-nanosecond units called ticks"). A value
 * computed from a real (1h / 7, 1h * 0.3, totimespan(1.5)) is rounded to the nearest tick, as .NET's TimeSpan division does; the docs do not say how Kusto resolves the fraction (at most half a tick).
 */
function wholeTicks(fn: RowFn, type: KType, inputs: CompiledScalar[]): RowFn {
  if ((type !== 'datetime' && type !== 'timespan') || !inputs.some((a) => a.type === 'real' || a.type === 'decimal' || a.type === 'dynamic')) return fn;
  return (row, rt) => {
    const v = fn(row, rt) as number | null;
    return v === null || v === undefined ? null : Math.round(v);
  };
}

function arithmetic(op: string, a: CompiledScalar, b: CompiledScalar, resultType: KType): RowFn {
  // 1h / 7 and 1h * 0.3 leave a fraction of a tick; sums and differences of whole ticks do not.
  if ((resultType === 'datetime' || resultType === 'timespan') && (op === 'MultiplyExpression' || op === 'DivideExpression')) {
    const f = numeric(op, a, b, resultType);
    return (row, rt) => {
      const v = f(row, rt) as number | null;
      return v === null ? null : Math.round(v);
    };
  }
  return numeric(op, a, b, resultType);
}

function numeric(op: string, a: CompiledScalar, b: CompiledScalar, resultType: KType): RowFn {
  const integer = resultType === 'long' || resultType === 'int';
  const fa = a.fn;
  const fb = b.fn;
  const guard = (f: (x: number, y: number) => number | null): RowFn => (row, rt) => {
    const x = fa(row, rt) as number | null;
    const y = fb(row, rt) as number | null;
    if (x === null || y === null || x === undefined || y === undefined) return null;
    return f(x, y);
  };
  switch (op) {
    case 'AddExpression': return guard((x, y) => x + y);
    case 'SubtractExpression': return guard((x, y) => x - y);
    case 'MultiplyExpression': return guard((x, y) => (integer ? Math.trunc(x * y) : x * y));
    case 'DivideExpression':
      if (a.type === 'timespan' && b.type === 'timespan') return guard((x, y) => (y === 0 ? null : x / y));
      if (resultType === 'timespan') return guard((x, y) => (y === 0 ? null : x / y));
      return guard((x, y) => (integer ? (y === 0 ? null : Math.trunc(x / y)) : x / y));
    // 0 <= N % D < abs(D) (numeric operators page: -14 % 12 is 10), unlike JS's sign-of-dividend remainder.
    case 'ModuloExpression': return guard((x, y) => (y === 0 ? null : ((x % y) + Math.abs(y)) % Math.abs(y)));
  }
  throw new Error(op);
}

export function createScalarCompiler(ctx: CompileContext, hooks: TabularHooks): ScalarCompiler {
  const compiler: ScalarCompiler = { scalar, scalarWith };
  // Subexpressions replaced while compiling with scalarWith. Keyed by node: positions repeat across the trees of
  // function expansions compiled inside the expression.
  let replacements: Map<BridgeObject, CompiledScalar> | null = null;

  function scalarWith(node: BridgeObject, scope: RowScope, replaced: Map<BridgeObject, CompiledScalar>): CompiledScalar {
    const saved = replacements;
    replacements = replaced;
    try {
      return scalar(node, scope);
    } finally {
      replacements = saved;
    }
  }

  /** The values of an `in (...)` list: scalars, dynamic arrays (flattened) and subqueries (first column). */
  function setOf(listNode: BridgeObject, scope: RowScope): (row: Value[], rt: Parameters<RowFn>[1]) => unknown[] {
    const parts = listItems(listNode.Expressions).map((item) => {
      if (item.ResultType?.Columns) {
        const { plan } = hooks.tabular(item);
        return (_row: Value[], rt: Parameters<RowFn>[1]) => {
          let memo = rt.memo.get(item) as unknown[] | undefined;
          if (!memo) rt.memo.set(item, (memo = plan(rt).rows.map((r) => r[0])));
          return memo;
        };
      }
      const e = scalar(item, scope);
      return (row: Value[], rt: Parameters<RowFn>[1]) => {
        const v = e.fn(row, rt);
        // Nested arrays are flattened: x in (dynamic([1,[2,3]])) is x in (1,2,3) (in operator page).
        return e.type === 'dynamic' && Array.isArray(v) ? v.flat(Infinity) : [v];
      };
    });
    return (row, rt) => parts.flatMap((p) => p(row, rt));
  }

  function scalar(node: BridgeObject, scope: RowScope): CompiledScalar {
    const replaced = replacements?.get(node);
    if (replaced) return replaced;
    const k = kind(node);
    const type = typeName(node.ResultType);
    switch (k) {
      case 'ParenthesizedExpression':
        return scalar(node.Expression, scope);
      case 'BooleanLiteralExpression': case 'IntLiteralExpression': case 'LongLiteralExpression': case 'RealLiteralExpression':
      case 'DecimalLiteralExpression': case 'DateTimeLiteralExpression': case 'TimespanLiteralExpression': case 'GuidLiteralExpression':
      case 'StringLiteralExpression': case 'CompoundStringLiteralExpression':
        return literal(ctx, node, type);
      case 'NullLiteralExpression':
        return constant(null, 'dynamic');
      case 'DynamicExpression': {
        const v = node.LiteralValue;
        if (v === null || v === undefined) return constant(null, 'dynamic');
        try {
          return constant(parseDynamicLiteral(String(v)), 'dynamic');
        } catch (err) {
          return unsupported(ctx, node, `dynamic literal (${(err as Error).message.split('\n')[0]})`);
        }
      }
      case 'NameReference': {
        const name = String(node.SimpleName ?? textOf(ctx, node)).replace(/^\['|'\]$|^\["|"\]$/g, '');
        const index = scope.index.get(name);
        if (index !== undefined && node.ReferencedSymbol && String(node.ReferencedSymbol.constructor?.$$name ?? '').endsWith('ColumnSymbol')) {
          return { fn: (row) => row[index], type: scope.columns[index]!.type, column: index };
        }
        const binding = ctx.env.get(name);
        if (binding?.kind === 'scalar') {
          // A parameter bound to the caller's row, read inside a subquery (toscalar, in (…)) of the function body:
          // Kusto re-runs the subquery per row; the engine runs a subquery once, so it refuses.
          if (binding.rowScope && binding.rowScope !== scope) unsupported(ctx, node, `parameter ${name} inside a subquery of the function, with an argument that depends on the row`);
          return binding.expr;
        }
        if (index !== undefined) return { fn: (row) => row[index], type: scope.columns[index]!.type, column: index };
        // The binder accepted the name without knowing it (an isfuzzy union leg or table(name) with a computed name).
        return unsupported(ctx, node, `reference to ${name}, a column of a table whose schema is unknown here (give the table's rows in the test so it binds, or name the table instead of table(<expression>))`);
      }
      case 'UnaryMinusExpression': {
        const e = scalar(node.Expression, scope);
        return { fn: (row, rt) => { const v = e.fn(row, rt); return v === null ? null : -(v as number); }, type: e.type };
      }
      case 'UnaryPlusExpression':
        return scalar(node.Expression, scope);
      case 'AddExpression': case 'SubtractExpression': case 'MultiplyExpression': case 'DivideExpression': case 'ModuloExpression': {
        const a = scalar(node.Left, scope);
        const b = scalar(node.Right, scope);
        // decimal is held as a double here: 0.1 + 0.2 would not be the exact 0.3 Kusto's 128-bit decimal gives.
        if (type === 'decimal') unsupported(ctx, node, `decimal arithmetic (${textOf(ctx, node).trim()}): decimals are not exact in the local engine`);
        return { fn: arithmetic(k, a, b, type), type };
      }
      case 'LessThanExpression': return { fn: compareOp(scalar(node.Left, scope), scalar(node.Right, scope), (c) => c < 0), type: 'bool' };
      case 'LessThanOrEqualExpression': return { fn: compareOp(scalar(node.Left, scope), scalar(node.Right, scope), (c) => c <= 0), type: 'bool' };
      case 'GreaterThanExpression': return { fn: compareOp(scalar(node.Left, scope), scalar(node.Right, scope), (c) => c > 0), type: 'bool' };
      case 'GreaterThanOrEqualExpression': return { fn: compareOp(scalar(node.Left, scope), scalar(node.Right, scope), (c) => c >= 0), type: 'bool' };
      case 'EqualExpression': return { fn: equality(scalar(node.Left, scope), scalar(node.Right, scope), false, false), type: 'bool' };
      case 'NotEqualExpression': return { fn: equality(scalar(node.Left, scope), scalar(node.Right, scope), true, false), type: 'bool' };
      case 'EqualTildeExpression': return { fn: equality(scalar(node.Left, scope), scalar(node.Right, scope), false, true), type: 'bool' };
      case 'BangTildeExpression': return { fn: equality(scalar(node.Left, scope), scalar(node.Right, scope), true, true), type: 'bool' };
      case 'AndExpression': {
        const a = scalar(node.Left, scope).fn;
        const b = scalar(node.Right, scope).fn;
        return { fn: (row, rt) => { const x = a(row, rt); if (x === false) return false; const y = b(row, rt); if (y === false) return false; return x === null || y === null ? null : true; }, type: 'bool' };
      }
      case 'OrExpression': {
        const a = scalar(node.Left, scope).fn;
        const b = scalar(node.Right, scope).fn;
        return { fn: (row, rt) => { const x = a(row, rt); if (x === true) return true; const y = b(row, rt); if (y === true) return true; return x === null || y === null ? null : false; }, type: 'bool' };
      }
      case 'InExpression': case 'InCsExpression': case 'NotInExpression': case 'NotInCsExpression': {
        const op = String(node.Operator?.Text ?? '');
        const insensitive = op.endsWith('~');
        const negate = op.startsWith('!');
        const left = scalar(node.Left, scope);
        const values = setOf(node.Right, scope);
        const leftText = str(left);
        return {
          fn: (row, rt) => {
            const set = values(row, rt);
            let found: boolean;
            if (insensitive) {
              const x = leftText(row, rt).toLowerCase();
              found = set.some((v) => toKustoString(v, typeof v === 'string' ? 'string' : 'dynamic').toLowerCase() === x);
            } else {
              const x = left.fn(row, rt);
              // `in` is == against each element; null == null is null (null-values page), so a null finding a null
              // is null, not true, and the where drops the row as it drops `x == int(null)`.
              if (x === null || x === undefined) return set.some((v) => v === null || v === undefined) ? null : negate;
              const key = left.type === 'dynamic' ? keyOf(x) : null;
              found = set.some((v) => (key !== null ? keyOf(v) === key : sameScalar(v, x)));
            }
            return found !== negate;
          },
          type: 'bool',
        };
      }
      case 'HasAnyExpression': case 'HasAllExpression': {
        const left = str(scalar(node.Left, scope));
        const values = setOf(node.Right, scope);
        const all = k === 'HasAllExpression';
        return {
          fn: (row, rt) => {
            const hay = left(row, rt);
            const needles = values(row, rt).map((v) => toKustoString(v, 'dynamic'));
            return all ? needles.every((n) => hasTerm(hay, n)) : needles.some((n) => hasTerm(hay, n));
          },
          type: 'bool',
        };
      }
      case 'BetweenExpression': case 'NotBetweenExpression': {
        // The right side is an ExpressionCouple `(First .. Second)`; a timespan Second after a datetime First is a length.
        const x = scalar(node.Left, scope);
        const lo = scalar(node.Right.First, scope);
        const hi = scalar(node.Right.Second, scope);
        const relative = x.type === 'datetime' && hi.type === 'timespan';
        const negate = k === 'NotBetweenExpression';
        return {
          fn: (row, rt) => {
            const v = x.fn(row, rt) as number | null;
            const a = lo.fn(row, rt) as number | null;
            const b = hi.fn(row, rt) as number | null;
            if (v === null || a === null || b === null) return null;
            return (v >= a && v <= (relative ? a + b : b)) !== negate;
          },
          type: 'bool',
        };
      }
      case 'PathExpression': {
        const base = scalar(node.Expression, scope);
        // b.[k]: a bracketed expression selects the member its value names (k may be a column).
        if (kind(node.Selector) === 'BracketedExpression') {
          const key = scalar(node.Selector.Expression, scope);
          return { fn: (row, rt) => member(base.fn(row, rt), key.fn(row, rt)), type: 'dynamic' };
        }
        const key = String(node.Selector?.SimpleName ?? textOf(ctx, node.Selector)).replace(/^\['|'\]$|^\["|"\]$/g, '');
        return { fn: (row, rt) => member(base.fn(row, rt), key), type: 'dynamic' };
      }
      case 'ElementExpression': {
        const base = scalar(node.Expression, scope);
        const index = scalar(node.Selector.Expression, scope);
        return { fn: (row, rt) => member(base.fn(row, rt), index.fn(row, rt)), type: 'dynamic' };
      }
      case 'ToScalarExpression': {
        // toscalar(2): a scalar argument is its own value (the toscalar page's Step example).
        if (!node.Expression.ResultType?.Columns) return scalar(node.Expression, scope);
        const { plan } = hooks.tabular(node.Expression);
        // Memoised per compiled call, not per syntax node: a function body is compiled once per call site, each
        // with its own arguments (f(2) and f(5) share the node).
        const key = {};
        return {
          fn: (_row, rt) => {
            if (!rt.memo.has(key)) rt.memo.set(key, plan(rt).rows[0]?.[0] ?? null);
            return rt.memo.get(key);
          },
          type,
        };
      }
      case 'FunctionCallExpression':
        return call(node, scope, type);
      // typeof(T) only steers the bound result type of its caller (extract(..., typeof(int))); no run-time value.
      case 'TypeOfLiteralExpression':
        return { fn: () => null, type: 'dynamic', constant: true };
      default: {
        // String operators and their negations: `!has` is NotHasExpression, `!contains_cs` NotContainsCsExpression…
        const negated = k.startsWith('Not') && STRING_OPS[k.slice(3)] !== undefined;
        const test = STRING_OPS[negated ? k.slice(3) : k];
        if (!test) return unsupported(ctx, node);
        const left = str(scalar(node.Left, scope));
        const rightScalar = scalar(node.Right, scope);
        const right = str(rightScalar);
        const fn: RowFn = (row, rt) => test(left(row, rt), right(row, rt)) !== negated;
        if (k.endsWith('MatchesRegexExpression')) {
          checkConstantRegex(rightScalar, node.Right);
          return { fn: positioned(fn, node), type: 'bool' };
        }
        return { fn, type: 'bool' };
      }
    }
  }

  /** A constant pattern that RE2 rejects is reported at compile time, where it is written, even if no row flows. */
  function checkConstantRegex(pattern: CompiledScalar, node: BridgeObject): void {
    if (!pattern.constant) return;
    const value = pattern.fn([], undefined as never);
    if (typeof value !== 'string') return;
    try {
      re2(value);
    } catch (err) {
      if (!(err instanceof EngineError)) throw err;
      const { line, column } = positionOf(ctx, node);
      throw new EngineError(err.message, line, column);
    }
  }

  /** Run-time errors of a regex function (a computed pattern, a missing capture group) carry the call's position. */
  function positioned(fn: RowFn, node: BridgeObject): RowFn {
    const { line, column } = positionOf(ctx, node);
    return (row, rt) => {
      try {
        return fn(row, rt);
      } catch (err) {
        if (err instanceof EngineError && err.line === undefined) throw new EngineError(err.message, line, column);
        throw err;
      }
    };
  }

  function call(node: BridgeObject, scope: RowScope, type: KType): CompiledScalar {
    const name = String(node.Name?.SimpleName ?? textOf(ctx, node.Name));
    const argNodes = listItems(node.ArgumentList.Expressions);
    const user = ctx.env.get(name);
    if (user?.kind === 'function') return inlineUserFunction(node, user, argNodes, scope);
    if (WINDOW_FUNCTIONS.has(name.toLowerCase())) {
      if (!ctx.inWindowedStage) return unsupported(ctx, node, `${name}() outside extend, project, where or serialize`);
      return windowFunction(name.toLowerCase(), positionalArguments(node, argNodes).map((a) => scalar(a, scope)), type);
    }
    const fn = SCALAR_FUNCTIONS[name.toLowerCase()];
    if (!fn) return unsupported(ctx, node, `function ${name}()`);
    const positional = positionalArguments(node, argNodes);
    const args = positional.map((a) => scalar(a, scope));
    if (name === 'tostring') return { fn: str(args[0]!), type: 'string' };
    try {
      // typeof(T) arguments act through the call's bound result type, so they count as read.
      const { args: watched, unread } = watchArguments(args, positional.map((a) => kind(a) === 'TypeOfLiteralExpression'));
      const compiled = { fn: wholeTicks(fn(watched, { resultType: type }), type, args), type };
      const regexArg = REGEX_ARGUMENT[name.toLowerCase()];
      if (regexArg !== undefined && args[regexArg]) {
        checkConstantRegex(args[regexArg]!, positional[regexArg]!);
        compiled.fn = positioned(compiled.fn, node);
      } else if (name.toLowerCase() === 'countof' && args[2]) {
        if (args[2].constant && args[2].fn([], undefined as never) === 'regex') checkConstantRegex(args[1]!, positional[1]!);
        compiled.fn = positioned(compiled.fn, node);
      }
      // An argument the implementation never looked at would be silently ignored: refuse the call instead.
      const ignored = unread();
      if (ignored >= 0) unsupported(ctx, positional[ignored]!, `${name}() with argument ${ignored + 1} (${textOf(ctx, positional[ignored]!).trim()}): the local engine does not implement it`);
      return compiled;
    } catch (err) {
      // A function that refuses its arguments at compile time: say where.
      if (err instanceof EngineError && err.line === undefined) unsupported(ctx, node, err.message);
      throw err;
    }
  }

  /**
   * Arguments in parameter order. `format_datetime(format="yyyy", date=d)` names parameters (placed by name);
   * `bin(FiveMinutes=Timestamp, 5m)` in a summarize's by names the output column (the bound type has the name),
   * not a parameter, so it stays where it is written.
   */
  function positionalArguments(node: BridgeObject, argNodes: BridgeObject[]): BridgeObject[] {
    if (!argNodes.some((a) => kind(a) === 'SimpleNamedExpression')) return argNodes;
    const params = node.ReferencedSignature?.Parameters;
    const names: string[] = [];
    for (let i = 0; i < (params?.Count ?? 0); i++) names.push(String(params.getItem(i).Name));
    const out: BridgeObject[] = [];
    argNodes.forEach((a, i) => {
      if (kind(a) !== 'SimpleNamedExpression') return void (out[i] = a);
      const at = names.indexOf(String(a.Name?.SimpleName));
      out[at >= 0 ? at : i] = a.Expression;
    });
    for (let i = 0; i < out.length; i++) if (!out[i]) unsupported(ctx, node, `${String(node.Name?.SimpleName)}() with argument ${names[i] ?? i + 1} left out before a named one`);
    return out;
  }

  /** Whether an argument reads the row it is evaluated on: a column, a window function, or a parameter that does. */
  function readsRow(node: BridgeObject): boolean {
    const k = kind(node);
    if (k === 'NameReference') {
      if (String(node.ReferencedSymbol?.constructor?.$$name ?? '').endsWith('ColumnSymbol')) return true;
      const binding = ctx.env.get(String(node.SimpleName));
      if (binding?.kind === 'scalar' && binding.rowScope) return true;
    }
    if (k === 'FunctionCallExpression' && WINDOW_FUNCTIONS.has(String(node.Name?.SimpleName ?? '').toLowerCase())) return true;
    for (let i = 0; i < node.ChildCount; i++) {
      const child = node.GetChild(i);
      if (child && readsRow(child)) return true;
    }
    return false;
  }

  /** A let-declared scalar function: its body is compiled in place, parameters bound to the arguments. */
  function inlineUserFunction(node: BridgeObject, binding: Extract<import('./context.ts').Binding, { kind: 'function' }>, argNodes: BridgeObject[], scope: RowScope): CompiledScalar {
    const decl = binding.declaration;
    const params = listItems(decl.Parameters.Parameters);
    const env = binding.env.child();
    params.forEach((p: BridgeObject, i: number) => {
      const pname = String(p.NameAndType.Name.SimpleName);
      const arg = argNodes[i];
      const value = arg ?? p.DefaultValue?.Value;
      if (value) env.set(pname, { kind: 'scalar', expr: scalar(value, scope), ...(readsRow(value) ? { rowScope: scope } : {}) });
    });
    const saved = ctx.env;
    ctx.env = env;
    try {
      const body = decl.Body;
      const expression = body.Expression ?? body;
      return scalar(expression, scope);
    } finally {
      ctx.env = saved;
    }
  }

  return compiler;
}

/** `in` equality between a typed scalar and a list element (list elements may come from dynamic arrays). */
function sameScalar(v: unknown, x: Value): boolean {
  if (v === x) return true;
  if (v === null || x === null || typeof v === 'object') return false;
  if (typeof x === 'string') return String(v) === x;
  if (typeof x === 'number') return Number(v) === x;
  return false;
}

/** Dynamic member access: bag property, array index (negative from the end); anything else → null. */
export function member(base: Value, key: Value): unknown {
  if (base === null || base === undefined) return null;
  if (typeof base === 'string') {
    if (!/^\s*[[{]/.test(base)) return null;
    try {
      base = JSON.parse(base);
    } catch {
      return null;
    }
  }
  if (Array.isArray(base)) {
    if (typeof key !== 'number') return null;
    const i = key < 0 ? base.length + key : key;
    return base[i] ?? null;
  }
  if (typeof base === 'object' && base !== null) {
    // Own properties only: a bag has no "constructor" or "toString" member.
    const k = String(key);
    return Object.hasOwn(base, k) ? ((base as Record<string, unknown>)[k] ?? null) : null;
  }
  return null;
}

export { cast, toDynamic };

/**
 * Watches which arguments a function implementation reads while it is compiled: destructuring `([a, b])` reads
 * indexes 0 and 1, `args.map(…)` reads them all. `unread()` is the first argument never read, or -1.
 */
function watchArguments(args: CompiledScalar[], preRead: boolean[]): { args: CompiledScalar[]; unread: () => number } {
  const read = new Set<number>(preRead.flatMap((r, i) => (r ? [i] : [])));
  let all = false;
  const NEUTRAL = new Set<PropertyKey>(['length', Symbol.iterator, 'constructor']);
  const watched = new Proxy(args, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) read.add(Number(key));
      else if (!NEUTRAL.has(key)) all = true; // map, slice, flatMap…: the whole list
      return Reflect.get(target, key, receiver);
    },
  });
  return { args: watched, unread: () => (all ? -1 : args.findIndex((_, i) => !read.has(i))) };
}

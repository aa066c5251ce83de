/**
 * Window functions: prev(), next(), row_number(), row_cumsum(). They read the rows around the current one, so the
 * stage that uses them (extend, project, where, serialize) first collects its input rows and names the current
 * row's position in Runtime.window (compiler/tabular.ts, `windowed`). Kusto allows them only on a serialized row
 * set (after sort/order/top/serialize and operators that keep the order); the compiler refuses them elsewhere,
 * where Kusto fails the query.
 */
import type { BridgeObject } from '../../kql/kusto-language.ts';
import { kind, type CompiledScalar, type Runtime } from '../compiler/context.ts';
import { EngineError } from '../errors.ts';
import type { KType, Value } from '../values/types.ts';

export const WINDOW_FUNCTIONS = new Set(['prev', 'next', 'row_number', 'row_cumsum']);

/** The first window function called anywhere under `node` (subqueries included: it only decides how a stage runs). */
export function windowFunctionIn(node: BridgeObject): string | null {
  if (kind(node) === 'FunctionCallExpression') {
    const name = String(node.Name?.SimpleName ?? '').toLowerCase();
    if (WINDOW_FUNCTIONS.has(name)) return name;
  }
  for (let i = 0; i < node.ChildCount; i++) {
    const child = node.GetChild(i);
    const found = child ? windowFunctionIn(child) : null;
    if (found) return found;
  }
  return null;
}

/** The rows of a windowed stage and the current row's position; `state` holds row_number/row_cumsum counters per call. */
export interface RowWindow {
  rows: Value[][];
  index: number;
  state: Map<object, { value: number | null }>;
}

function windowOf(rt: Runtime, name: string): RowWindow {
  if (!rt.window) throw new EngineError(`${name}() was evaluated outside a windowed stage (an engine bug: please report the query)`);
  return rt.window;
}

/** Compiles a window function call; `args` are compiled against the stage's input row scope. */
export function windowFunction(name: string, args: CompiledScalar[], type: KType): CompiledScalar {
  switch (name) {
    case 'prev': case 'next': {
      const [value, offsetArg, defaultArg] = args;
      const direction = name === 'prev' ? -1 : 1;
      const typedNull: Value = type === 'string' ? '' : null;
      return {
        type,
        fn: (_row, rt) => {
          const w = windowOf(rt, name);
          const offset = offsetArg ? (offsetArg.fn(_row, rt) as number | null) ?? 1 : 1;
          const at = w.index + direction * offset;
          if (at < 0 || at >= w.rows.length) return defaultArg ? defaultArg.fn(_row, rt) : typedNull;
          return value!.fn(w.rows[at]!, rt);
        },
      };
    }
    case 'row_number': {
      const [startArg, restartArg] = args;
      const key = {};
      return {
        type: 'long',
        fn: (row, rt) => {
          const w = windowOf(rt, name);
          const start = startArg ? ((startArg.fn(row, rt) as number | null) ?? 1) : 1;
          let st = w.state.get(key);
          if (!st) w.state.set(key, (st = { value: null }));
          const restart = restartArg ? restartArg.fn(row, rt) === true : false;
          st.value = st.value === null || restart ? start : st.value + 1;
          return st.value;
        },
      };
    }
    case 'row_cumsum': {
      const [term, restartArg] = args;
      const key = {};
      return {
        type,
        fn: (row, rt) => {
          const w = windowOf(rt, name);
          let st = w.state.get(key);
          if (!st) w.state.set(key, (st = { value: null }));
          if (restartArg && restartArg.fn(row, rt) === true) st.value = null;
          const v = term!.fn(row, rt) as number | null;
          // A null term adds nothing; the sum so far is still the row's value.
          if (v !== null && v !== undefined) st.value = (st.value ?? 0) + v;
          return st.value ?? 0;
        },
      };
    }
  }
  throw new EngineError(`not a window function: ${name}`);
}

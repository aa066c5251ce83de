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

/** The rows of a windowed stage and the current row's position; `state` holds each running value's last row and value. */
export interface RowWindow {
  rows: Value[][];
  index: number;
  state: Map<object, { index: number; value: number | null }>;
}

function windowOf(rt: Runtime, name: string): RowWindow {
  if (!rt.window) throw new EngineError(`${name}() was evaluated outside a windowed stage (an engine bug: please report the query)`);
  return rt.window;
}

/**
 * A running value over the window's rows (row_number, row_cumsum). It belongs to the row, not to the call: the
 * expression may be evaluated for some rows only (inside iff, and, a function argument read twice), so the value
 * at row i is computed from every row before it, each step once, whichever rows the query looked at.
 */
function running(name: string, step: (row: Value[], rt: Runtime, before: number | null) => number | null): CompiledScalar {
  const key = {};
  return {
    type: 'long',
    fn: (_row, rt) => {
      const w = windowOf(rt, name);
      let st = w.state.get(key);
      if (!st || st.index > w.index) w.state.set(key, (st = { index: -1, value: null }));
      const current = w.index;
      try {
        // The step reads row j, so prev()/next() inside its arguments must see j as the current row.
        for (let j = st.index + 1; j <= current; j++) {
          w.index = j;
          st.value = step(w.rows[j]!, rt, st.value);
          st.index = j;
        }
      } finally {
        w.index = current;
      }
      return st.value ?? 0;
    },
  };
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
      return running(name, (row, rt, before) => {
        const restart = restartArg ? restartArg.fn(row, rt) === true : false;
        return before === null || restart ? (startArg ? ((startArg.fn(row, rt) as number | null) ?? 1) : 1) : before + 1;
      });
    }
    case 'row_cumsum': {
      const [term, restartArg] = args;
      return {
        type,
        fn: running(name, (row, rt, before) => {
          const sum = restartArg && restartArg.fn(row, rt) === true ? null : before;
          const v = term!.fn(row, rt) as number | null;
          // A null term adds nothing; the sum so far is still the row's value.
          return v !== null && v !== undefined ? (sum ?? 0) + v : sum;
        }).fn,
      };
    }
  }
  throw new EngineError(`not a window function: ${name}`);
}

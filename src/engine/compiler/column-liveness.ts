/**
 * Which input columns a row-copying stage must carry, from the pipe stages after it. An extend over table rows
 * copies each row into a scratch row first (values/types.ts rows are shared and never written); copying the 46
 * columns of DeviceNetworkEvents for every row was the largest cost of the benchmark queries after JSON parsing,
 * although they read four or five of them.
 *
 * The answer is conservative: `null` ("all columns") unless the stages that follow, up to one that names its
 * output columns (project, summarize, count, distinct), are all known to pass columns through by name, and no
 * expression among them could reach a column other than by naming it (`*`, pack_all(), column_ifexists()). User
 * functions cannot: Kusto rejects a function body naming a column it is not passed (KS142). Over-approximating
 * only copies more; the set can never miss a column that is read.
 */
import type { BridgeObject } from '../../kql/kusto-language.ts';
import { kind } from './context.ts';

/** Stages that read only the columns their expressions name and pass every other column through unchanged. */
const PASS_THROUGH = new Set(['FilterOperator', 'ExtendOperator', 'SortOperator', 'TopOperator', 'TakeOperator']);
/** Stages whose output columns are exactly those their expressions name. */
const CLOSING = new Set(['ProjectOperator', 'SummarizeOperator', 'CountOperator', 'DistinctOperator']);
/** Functions that read columns not named in their arguments. */
const READS_ROW = new Set(['pack_all', 'bag_pack_all', 'column_ifexists', 'row_number', 'row_cumsum', 'prev', 'next']);

/**
 * The names of the columns read by the stages after `stage` (an operator of a pipe), or null when every column
 * `stage` outputs may be needed.
 */
export function columnsReadAfter(stage: BridgeObject): Set<string> | null {
  const names = new Set<string>();
  let pipe = stage.Parent;
  for (;;) {
    if (!pipe || kind(pipe) !== 'PipeExpression' || !sameNode(pipe.Operator, stage)) return null;
    const next = pipe.Parent;
    // The end of this pipe chain: its rows are a result (a query's output, a let, a join leg…) with every column.
    if (!next || kind(next) !== 'PipeExpression' || !sameNode(next.Expression, pipe)) return null;
    stage = next.Operator;
    const k = kind(stage);
    if (!PASS_THROUGH.has(k) && !CLOSING.has(k)) return null;
    if (!collectNames(stage, names)) return null;
    if (CLOSING.has(k)) return names;
    pipe = next;
  }
}

function sameNode(a: BridgeObject, b: BridgeObject): boolean {
  return !!a && !!b && a.TextStart === b.TextStart && a.Width === b.Width && a.Kind === b.Kind;
}

/** Adds every name referenced under `node`; false when something could read a column without naming it. */
function collectNames(node: BridgeObject, names: Set<string>): boolean {
  const k = kind(node);
  if (k === 'StarExpression') return false;
  if (k === 'NameReference') names.add(String(node.SimpleName).replace(/^\['|'\]$|^\["|"\]$/g, ''));
  if (k === 'FunctionCallExpression') {
    const name = String(node.Name?.SimpleName ?? '');
    if (READS_ROW.has(name)) return false;
  }
  for (let i = 0; i < node.ChildCount; i++) {
    const child = node.GetChild(i);
    if (child && !collectNames(child, names)) return false;
  }
  return true;
}

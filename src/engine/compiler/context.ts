/** Compile-time environment and run-time state shared by the compiler modules. */
import type { BridgeObject } from '../../kql/kusto-language.ts';
import { kustoLanguage } from '../../kql/kusto-language.ts';
import { EngineError, lineColumn } from '../errors.ts';
import type { Column, KType, Table, Value } from '../values/types.ts';
import type { RowCursor } from '../values/json-columns.ts';
import type { RowWindow } from '../functions/window.ts';

export interface StageTrace {
  operator: string;
  line: number;
  column: number;
  rowsIn: number;
  rowsOut: number;
  /** The stage's output columns, which name the sample's values. */
  columns?: Column[];
  /** The first output rows, as the engine holds them (ticks for datetimes); traceSample() makes them JSON. */
  sample?: Value[][];
}

export interface Runtime {
  /** Frozen clock, in ticks. */
  now: number;
  tables: Record<string, Table>;
  externaldata: Record<string, Table>;
  trace?: StageTrace[];
  /** Memoised results of let-bound tabular expressions and toscalar() per run. */
  memo: Map<unknown, unknown>;
  /** The table row being read (values/json-columns.ts). */
  cursor: RowCursor;
  /** The rows around the current one, in a stage that uses window functions (functions/window.ts). */
  window?: RowWindow;
}

export type RowFn = (row: Value[], rt: Runtime) => Value;

export interface CompiledScalar {
  fn: RowFn;
  type: KType;
  /** Set when the expression does not depend on the row (lets constant folding and caching happen). */
  constant?: boolean;
  /** Set when the expression reads input column `column` as it is (lets comparisons with a constant skip a closure). */
  column?: number;
}

export type TabularPlan = (rt: Runtime) => Table;

/**
 * Receives a stage's output rows one at a time. Returning false asks the producer to stop (take/limit has
 * enough rows). Rows of a `transient` stage are scratch arrays reused for the next row: copy one to keep it.
 */
export type Emit = (row: Value[]) => boolean | void;

/** Per run, turns the downstream emit into the function this stage's input rows are pushed into. */
export type RowStep = (rt: Runtime, emit: Emit) => Emit;

export type Binding =
  /** `rowScope` is set for a function parameter whose argument reads the caller's row: it is valid only there. */
  | { kind: 'scalar'; expr: CompiledScalar; rowScope?: RowScope }
  | { kind: 'tabular'; plan: TabularPlan; columns: Column[] }
  | { kind: 'function'; declaration: BridgeObject; env: Env };

/** Lexical scope of let statements and function parameters. */
export class Env {
  private readonly bindings = new Map<string, Binding>();
  constructor(private readonly parent?: Env) {}
  get(name: string): Binding | undefined {
    return this.bindings.get(name) ?? this.parent?.get(name);
  }
  set(name: string, binding: Binding): void {
    this.bindings.set(name, binding);
  }
  child(): Env {
    return new Env(this);
  }
}

/** The row schema an expression is evaluated against. */
export class RowScope {
  readonly index: Map<string, number>;
  constructor(readonly columns: Column[]) {
    this.index = new Map(columns.map((c, i) => [c.name, i]));
  }
}

export interface CompileContext {
  query: string;
  env: Env;
  /** Names of kinds, for messages. */
  kindName: (kind: number) => string;
  /** The outermost call of a let function being compiled from its expansion (where its errors are reported). */
  callSite?: BridgeObject;
  /** Set while compiling the expressions of a stage that runs with a row window (window functions allowed). */
  inWindowedStage?: boolean;
}

let kindNames: Map<number, string> | undefined;

export function syntaxKindName(kind: number): string {
  if (!kindNames) {
    const SK = kustoLanguage().Syntax.SyntaxKind;
    kindNames = new Map(Object.keys(SK).filter((k) => typeof SK[k] === 'number').map((k) => [SK[k] as number, k]));
  }
  return kindNames.get(kind) ?? `kind ${kind}`;
}

export function kind(node: BridgeObject): string {
  return syntaxKindName(node.Kind);
}

/**
 * Line and column of a node in the query. A node of a function's expansion has positions in that expansion's
 * text, which the user never sees: it is reported at the call.
 */
export function positionOf(ctx: CompileContext, node: BridgeObject): { line: number; column: number } {
  const inExpansion = ctx.callSite !== undefined && node.Root !== undefined && node.Root !== ctx.callSite.Root;
  return lineColumn(ctx.query, (inExpansion ? ctx.callSite! : node).TextStart);
}

export function unsupported(ctx: CompileContext, node: BridgeObject, what?: string): never {
  const { line, column } = positionOf(ctx, node);
  const text = textOf(ctx, node).slice(0, 40).split('\n')[0];
  throw new EngineError(`not supported by the local engine: ${what ?? `${kind(node)} (${text})`}`, line, column);
}

const treeTexts = new WeakMap<BridgeObject, string>();

/**
 * The source text of a node, read from the tree the node belongs to. A call of a let function is compiled from
 * its expansion (a separate tree whose positions start at 0), while the functions it calls keep nodes of the
 * query's tree: the text must follow the node, not whichever tree is being compiled.
 */
export function textOf(_ctx: CompileContext, node: BridgeObject): string {
  const root: BridgeObject = node.Root ?? node;
  let text = treeTexts.get(root);
  if (text === undefined) {
    text = String(root.ToString(kustoLanguage().Syntax.IncludeTrivia.All));
    treeTexts.set(root, text);
  }
  return text.slice(node.TextStart, node.TextStart + node.Width);
}

/** Children of a Bridge SyntaxList / SeparatedSyntaxList, unwrapping SeparatedElement. */
export function listItems(list: BridgeObject): BridgeObject[] {
  const out: BridgeObject[] = [];
  if (!list) return out;
  for (let i = 0; i < list.ChildCount; i++) {
    const child = list.GetChild(i);
    if (!child) continue;
    out.push(kind(child) === 'SeparatedElement' ? child.Element : child);
  }
  return out;
}

export function columnsOfType(resultType: BridgeObject): Column[] {
  const cols: Column[] = [];
  const list = resultType?.Columns;
  if (!list) return cols;
  for (let i = 0; i < list.Count; i++) {
    const c = list.getItem(i);
    cols.push({ name: String(c.Name), type: typeName(c.Type) });
  }
  return cols;
}

export function typeName(type: BridgeObject): KType {
  const name = String(type?.Name ?? 'dynamic');
  return (['string', 'int', 'long', 'real', 'bool', 'datetime', 'timespan', 'guid', 'decimal'] as const).find((t) => t === name) ?? 'dynamic';
}

/**
 * Defender advanced hunting's built-in enrichment function FileProfile(), declared to Kusto.Language so queries
 * that use it bind on Defender like they run in the portal. Columns and types: Microsoft Learn, "FileProfile()
 * function in advanced hunting" (defender-xdr/advanced-hunting-fileprofile-function).
 *
 * Its documented call passes a bare column, `invoke FileProfile(SHA1, 1000)`. Kusto.Language binds `invoke`
 * arguments outside the piped row scope, so that column name is reported as unknown (KS142) whatever the
 * parameter is declared as; `isInvokeKeyColumn` recognises exactly that diagnostic when the name is a column
 * of the piped input, so callers can drop it (and report a clear error when it is not).
 */
import { bridgeList, kustoLanguage, type BridgeObject } from './kusto-language.ts';
import type { KustoScalarType } from './table-schemas.ts';

export const FILE_PROFILE_COLUMNS: readonly [string, KustoScalarType][] = [
  ['SHA1', 'string'], ['SHA256', 'string'], ['MD5', 'string'], ['FileSize', 'int'], ['GlobalPrevalence', 'int'],
  ['GlobalFirstSeen', 'datetime'], ['GlobalLastSeen', 'datetime'], ['Signer', 'string'], ['Issuer', 'string'],
  ['SignerHash', 'string'], ['IsCertificateValid', 'bool'], ['IsRootSignerMicrosoft', 'bool'], ['SignatureState', 'string'],
  ['IsExecutable', 'bool'], ['ThreatName', 'string'], ['Publisher', 'string'], ['SoftwareName', 'string'], ['ProfileAvailability', 'string'],
];

/** The file id columns FileProfile() accepts as its first argument (Learn: SHA1, SHA256, InitiatingProcessSHA1, InitiatingProcessSHA256). */
export const FILE_PROFILE_KEYS = ['SHA1', 'SHA256', 'InitiatingProcessSHA1', 'InitiatingProcessSHA256'] as const;

export const DEFENDER_FUNCTIONS = new Set(['FileProfile']);

let symbols: BridgeObject[] | undefined;

export function defenderFunctionSymbols(): BridgeObject[] {
  if (symbols) return symbols;
  const S = kustoLanguage().Symbols;
  const optional = (name: string, kind: number) => new S.Parameter.ctor(name, kind, S.ArgumentKind.Expression, null, null, false, null, 0, 1, null, null);
  const input = new S.Parameter.ctor('T', S.ParameterTypeKind.Tabular, S.ArgumentKind.Expression, null, null, false, null, 1, 1, null, null);
  // The result is the piped input with the profile columns it does not already have.
  const resultType = (info: BridgeObject) => {
    const table = [...bridgeList(info.ArgumentTypes)][0];
    const columns = table?.Columns ? [...bridgeList(table.Columns)] : [];
    const present = new Set(columns.map((c: BridgeObject) => String(c.Name)));
    for (const [name, type] of FILE_PROFILE_COLUMNS) if (!present.has(name)) columns.push(new S.ColumnSymbol(name, S.ScalarTypes.GetSymbol(type), null));
    return new S.TableSymbol.$ctor3(columns);
  };
  symbols = [new S.FunctionSymbol.ctor('FileProfile', resultType, S.Tabularity.Tabular, [input, optional('x', S.ParameterTypeKind.Any), optional('y', S.ParameterTypeKind.Integer)])];
  return symbols;
}

export interface InvokeKey {
  function: string;
  /** The bare column name given as the key. */
  column: string;
  /** Whether the piped input has that column. */
  known: boolean;
}

/**
 * When the diagnostic at `start` is the first argument of `invoke FileProfile(Name, …)` written as a bare name,
 * the call and name; null for any other diagnostic.
 */
export function invokeKeyAt(root: BridgeObject, start: number): InvokeKey | null {
  const SK = kustoLanguage().Syntax.SyntaxKind;
  let found: InvokeKey | null = null;
  const visit = (node: BridgeObject): void => {
    if (!node || found || start < node.TextStart || start > node.TextStart + node.Width) return;
    if (node.Kind === SK.InvokeOperator && node.Function?.Kind === SK.FunctionCallExpression) {
      const name = String(node.Function.Name?.SimpleName ?? '');
      const first = node.Function.ArgumentList?.Expressions?.GetChild(0)?.Element;
      if (DEFENDER_FUNCTIONS.has(name) && first?.Kind === SK.NameReference && first.TextStart === start) {
        const column = String(first.SimpleName);
        const input = node.Parent?.Expression?.ResultType;
        const known = input?.Columns ? [...bridgeList(input.Columns)].some((c: BridgeObject) => String(c.Name) === column) : false;
        found = { function: name, column, known };
        return;
      }
    }
    for (let i = 0; i < node.ChildCount; i++) visit(node.GetChild(i));
  };
  visit(root);
  return found;
}

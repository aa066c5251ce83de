/**
 * Scalar functions, registered in one table by name. Each entry turns compiled arguments into a row
 * function; argument count and types were already checked by Kusto.Language's binder.
 */
import type { CompiledScalar, RowFn } from '../compiler/context.ts';
import type { KType } from '../values/types.ts';
import { DATETIME_FUNCTIONS } from './datetime.ts';
import { DYNAMIC_FUNCTIONS } from './dynamic.ts';
import { IP_FUNCTIONS } from './ip.ts';
import { LOGIC_FUNCTIONS } from './logic.ts';
import { MATH_FUNCTIONS } from './math.ts';
import { STRING_FUNCTIONS } from './strings.ts';
import { URL_FUNCTIONS } from './url.ts';

export interface FunctionInfo {
  /** The call's result type, from the bound tree. */
  resultType: KType;
}

export type ScalarFunction = (args: CompiledScalar[], info: FunctionInfo) => RowFn;

export const SCALAR_FUNCTIONS: Record<string, ScalarFunction> = {
  ...STRING_FUNCTIONS,
  ...DATETIME_FUNCTIONS,
  ...DYNAMIC_FUNCTIONS,
  ...IP_FUNCTIONS,
  ...LOGIC_FUNCTIONS,
  ...MATH_FUNCTIONS,
  ...URL_FUNCTIONS,
};

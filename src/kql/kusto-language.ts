/**
 * Loads Microsoft's Kusto.Language (the Bridge.NET build published as @kusto/language-service-next).
 *
 * The package is a pair of classic scripts that define globals (`Bridge`, `System`, `Kusto`) instead of
 * exporting a module, so it is pulled in with `require` once per process and then read from globalThis.
 * Everything else in the codebase goes through this module so the global lives in one place.
 */
import { createRequire } from 'node:module';

// The Bridge objects are .NET classes transpiled to JS; we type only what we touch, as `any`-backed facades.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type BridgeObject = any;

let kusto: BridgeObject | undefined;

export function kustoLanguage(): BridgeObject {
  if (kusto) return kusto;
  const require = createRequire(import.meta.url);
  require('@kusto/language-service-next/bridge.min.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.min.js');
  kusto = (globalThis as BridgeObject).Kusto.Language;
  return kusto;
}

/** Iterates a Bridge.NET IReadOnlyList (Count + getItem). */
export function* bridgeList<T = BridgeObject>(list: BridgeObject): Generator<T> {
  if (!list) return;
  const count: number = list.Count;
  for (let i = 0; i < count; i++) yield list.getItem(i) as T;
}

/** Compile-time and run-time engine failures, with the query position they concern. */
export class EngineError extends Error {
  /** The message without its query position, for callers that give the position their own way (a file's line). */
  readonly detail: string;
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line !== undefined ? `${message} at ${line}:${column}` : message);
    this.detail = message;
  }
}

/** What a missing input is: a table (or watchlist, or the geo lookup table) by name, or an externaldata URL. */
export type MissingInput = { kind: 'table' | 'watchlist' | 'geo' | 'externaldata'; name: string };

/**
 * The query reads an input the caller did not supply. The message speaks to a test author (the main caller);
 * the input lets another caller (dac query) say how it takes that input.
 */
export class MissingInputError extends EngineError {
  constructor(
    message: string,
    readonly input: MissingInput,
    line?: number,
    column?: number,
  ) {
    super(message, line, column);
  }
}

/** Positions in the query text for messages: 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

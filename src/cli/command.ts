/** The contract every CLI command implements; commands live in src/cli/commands/<name>.ts. */
import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string };

export interface CommandContext {
  /** Parsed option values (by long name) and positional arguments. */
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** True when stderr is an interactive terminal (progress bars allowed); false in CI and pipes. */
  interactive: boolean;
}

export interface Command {
  name: string;
  summary: string;
  /** Usage line after `dac <name>`, e.g. `[paths…] [--format text|json|github]`. */
  usage: string;
  /** Longer help text shown under the usage line. */
  description?: string;
  options: Record<string, OptionSpec>;
  /** Returns the process exit code: 0 ok, 1 findings (validation errors, failed tests), 2 usage/internal error. */
  run(ctx: CommandContext): Promise<number>;
}

/** A user mistake the CLI reports as one line, without a stack trace (exit 2). */
export class UsageError extends Error {}

/** `dac` entry point: argument parsing, help, and turning thrown errors into one-line messages + exit codes. */
import { parseArgs } from 'node:util';
import { UsageError, type Command } from './command.ts';
import { safeText } from './diagnostics-output.ts';
import { COMMANDS } from './registry.ts';

const VERSION = '0.1.0';

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'dac — detection-as-code for Microsoft Sentinel and Defender XDR',
    '',
    'Usage: dac <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `dac <command> --help` for the options of a command.',
    'Exit codes: 0 success, 1 findings (errors in detections, failed tests), 2 usage or internal error.',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  const opts = Object.entries(c.options).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ` <${o.valueName ?? 'value'}>` : ''}${o.short ? `, -${o.short}` : ''}`;
    return `  ${flag.padEnd(30)} ${o.description}`;
  });
  return [
    `Usage: dac ${c.name} ${c.usage}`.trimEnd(),
    '',
    c.summary + '.',
    ...(c.description ? ['', c.description] : []),
    '',
    'Options:',
    ...opts,
    `  ${'--help, -h'.padEnd(30)} Show this help`,
  ].join('\n');
}

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

type StdStream = 'stdout' | 'stderr';
const closedStreams = new Set<StdStream>();
let pipeGuardsInstalled = false;

/**
 * When the reader of stdout/stderr goes away (`dac test | head -1`), writes fail with EPIPE, emitted as an
 * 'error' event that would otherwise crash the process with a stack trace. Drop further output on that stream
 * instead; the command runs to its end and its exit code is kept.
 */
function installPipeGuards(): void {
  if (pipeGuardsInstalled) return;
  pipeGuardsInstalled = true;
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      closedStreams.add(name);
    });
  }
}

function writeTo(name: StdStream, text: string): void {
  const stream = process[name];
  if (closedStreams.has(name) || stream.destroyed) return;
  stream.write(text);
}

const processIo: CliIo = {
  stdout: (s) => writeTo('stdout', s),
  stderr: (s) => writeTo('stderr', s),
};

export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  if (io === processIo) installPipeGuards();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(mainHelp() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(VERSION + '\n');
    return 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr(`dac: unknown command '${name}'. Run \`dac --help\` for the list.\n`);
    return 2;
  }
  const { command } = await entry.load();
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    // node:util keeps the last of a repeated option; `-q A -q B` would silently run B.
    const options: Record<string, { multiple?: boolean }> = command.options;
    const seen = new Set<string>();
    for (const token of parsed.tokens ?? []) {
      if (token.kind !== 'option' || options[token.name]?.multiple) continue;
      if (seen.has(token.name)) throw new Error(`option --${token.name} is given more than once; give it once`);
      seen.add(token.name);
    }
  } catch (err) {
    io.stderr(`dac ${name}: ${(err as Error).message}\n\n${commandHelp(command)}\n`);
    return 2;
  }
  if (parsed.values.help) {
    io.stdout(commandHelp(command) + '\n');
    return 0;
  }
  try {
    return await command.run({
      values: parsed.values as Record<string, string | boolean | string[] | undefined>,
      positionals: parsed.positionals,
      stdout: (s) => io.stdout(s),
      stderr: (s) => io.stderr(s),
      interactive: Boolean(process.stderr.isTTY) && !process.env.CI,
    });
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`dac ${name}: ${safeText(err.message)}\n`);
      return 2;
    }
    io.stderr(`dac ${name}: internal error: ${internalErrorText(err)}\n`);
    return 2;
  }
}

/**
 * The message of an unexpected error can echo detection content (an engine or parser error quoting the file),
 * so it is printed through safeText like every other detection-supplied string; the stack frames follow on their
 * own lines (each also made safe), as they help a bug report.
 */
function internalErrorText(err: unknown): string {
  if (!(err instanceof Error)) return safeText(err);
  const frames = (err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  return [safeText(`${err.name}: ${err.message}`), ...frames.map(safeText)].join('\n');
}

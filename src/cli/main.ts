/** `dac` entry point: argument parsing, help, and turning thrown errors into one-line messages + exit codes. */
import { parseArgs } from 'node:util';
import { UsageError, type Command } from './command.ts';
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

const processIo: CliIo = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
};

export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
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
    });
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
      io.stderr(`dac ${name}: ${err.message}\n`);
      return 2;
    }
    io.stderr(`dac ${name}: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 2;
  }
}

#!/usr/bin/env node
// Entry point for `npx dac`: registers tsx so the TypeScript sources run without a build step.
import { register } from 'tsx/esm/api';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `dac needs Node 24 or newer (running ${process.versions.node}). Run it through npm (npx dac / npm run dac), ` +
      'which uses the Node pinned in devDependencies.\n',
  );
  process.exit(2);
}
register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));

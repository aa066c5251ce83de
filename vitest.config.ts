import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Kusto.Language is a 16 MB Bridge.NET bundle: loading it once per worker is the dominant cost,
    // so a few long-lived forks beat many short ones on a 2-core machine.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

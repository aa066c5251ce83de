// Queries nobody here wrote: every query of the shared corpus that binds is compiled by the engine. A construct the
// engine lacks must be refused with an EngineError naming it, never crash; the compiled count is asserted so that a
// regression (or an improvement) is noticed and documented (README, "The embedded KQL engine").
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileQuery, EngineError } from '../../src/engine/index.ts';
import { analyzeKql } from '../../src/kql/analyzer.ts';
import { repoPath } from '../../src/paths.ts';
import { extractQueries } from '../../src/validate/kql-extract.ts';

const CORPUS = repoPath('../shared/corpus');
const hasCorpus = existsSync(CORPUS);
if (!hasCorpus) console.warn(`\n!! engine corpus compile SKIPPED: ${CORPUS} not found\n`);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe.skipIf(!hasCorpus)('engine on the shared corpus', () => {
  it('compiles 126 of the 148 binding queries and refuses the others with an EngineError (or names the fixture a watchlist needs)', () => {
    let bound = 0;
    let compiled = 0;
    const crashes: string[] = [];
    for (const file of files(CORPUS)) {
      for (const q of extractQueries(file)) {
        const platform = (['defender', 'sentinel'] as const).find((p) => analyzeKql(q.query, p).diagnostics.every((d) => d.severity !== 'error'));
        if (!platform) continue;
        bound++;
        try {
          compileQuery(q.query, { platform });
          compiled++;
        } catch (err) {
          if (!(err instanceof EngineError) || !/not supported by the local engine|KQL error|provides no rows/.test(err.message)) crashes.push(`${file}:${q.line}: ${(err as Error).message}`);
        }
      }
    }
    expect(crashes).toEqual([]);
    expect([bound, compiled]).toEqual([148, 126]);
  }, 60_000);
});

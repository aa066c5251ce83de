import { describe, expect, it } from 'vitest';
import { computeCoverage, describeProblem } from '../../src/report/coverage/model.ts';
import { det } from './make-detection.ts';

const keys = (m: ReturnType<typeof computeCoverage>) => [...m.cells.keys()];

describe('coverage counting rules', () => {
  it('a sub-technique covers its own cell, not its parent', () => {
    const m = computeCoverage([det([{ technique: 'T1071.001' }])]);
    expect(keys(m)).toEqual(['T1071.001|command-and-control']);
  });

  it('without a tactic a technique covers every tactic it belongs to; with one, only that tactic', () => {
    // T1078 Valid Accounts sits under four tactics.
    const all = computeCoverage([det([{ technique: 'T1078' }])]);
    expect(keys(all).sort()).toEqual(['T1078|defense-evasion', 'T1078|initial-access', 'T1078|persistence', 'T1078|privilege-escalation']);
    const one = computeCoverage([det([{ technique: 'T1078', tactic: 'persistence' }])]);
    expect(keys(one)).toEqual(['T1078|persistence']);
  });

  it('counts each detection once per cell and several detections per cell', () => {
    const a = det([{ technique: 'T1105' }, { technique: 'T1105', tactic: 'command-and-control' }]);
    const b = det([{ technique: 'T1105' }]);
    const cell = computeCoverage([a, b]).cells.get('T1105|command-and-control')!;
    expect(cell.detections.map((d) => d.name)).toEqual([a.detection.name, b.detection.name]);
  });

  it('platform models count only detections enabled on that platform', () => {
    const sentinelOnly = det([{ technique: 'T1110' }], { defender: { enabled: false } });
    const both = det([{ technique: 'T1018' }]);
    const defender = computeCoverage([sentinelOnly, both], 'defender');
    expect(keys(defender)).toEqual(['T1018|discovery']);
    expect(defender.notCounted.map((x) => x.reason)).toEqual(['not enabled on defender']);
    expect(keys(computeCoverage([sentinelOnly, both], 'sentinel')).sort()).toEqual(['T1018|discovery', 'T1110|credential-access']);
  });

  it('deprecated detections and detections enabled nowhere are listed, not counted', () => {
    const deprecated = det([{ technique: 'T1048' }], { status: 'deprecated' });
    const nowhere = det([{ technique: 'T1046' }], { sentinel: { enabled: false }, defender: { enabled: false } });
    const m = computeCoverage([deprecated, nowhere]);
    expect(m.cells.size).toBe(0);
    expect(m.notCounted.map((x) => x.reason)).toEqual(['deprecated', 'enabled on no platform']);
  });

  it('revoked, deprecated and unknown techniques are reported as problems and not counted', () => {
    const m = computeCoverage([det([{ technique: 'T1073' }, { technique: 'T1062' }, { technique: 'T9999' }, { technique: 'T1105' }])]);
    expect(m.problems.map((p) => [p.technique, p.kind, p.replacement])).toEqual([
      ['T1073', 'revoked', 'T1574.001'], ['T1062', 'deprecated', undefined], ['T9999', 'unknown', undefined],
    ]);
    expect(keys(m)).toEqual(['T1105|command-and-control']);
    expect(m.problems.map(describeProblem)).toEqual(['T1073 is revoked; use T1574.001', 'T1062 is deprecated', 'T9999 is not an ATT&CK Enterprise technique']);
  });

  it('a tactic the technique does not belong to is a problem and covers nothing', () => {
    const m = computeCoverage([det([{ technique: 'T1110', tactic: 'discovery' }])]);
    expect(m.cells.size).toBe(0);
    expect(m.problems.map(describeProblem)).toEqual(['T1110 does not belong to tactic discovery']);
  });

  it('orders cells by tactic in matrix order', () => {
    const m = computeCoverage([det([{ technique: 'T1048' }, { technique: 'T1595' }, { technique: 'T1110' }])]);
    expect(keys(m)).toEqual(['T1595|reconnaissance', 'T1110|credential-access', 'T1048|exfiltration']);
  });
});

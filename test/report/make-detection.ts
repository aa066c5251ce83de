/** Small in-test detections for the coverage counting and rendering tests. */
import type { Detection } from '../../src/detection/types.ts';

let n = 0;
export function det(mitre: Detection['mitre'], extra: Partial<Detection> = {}): { file: string; detection: Detection } {
  n++;
  return {
    file: `detections/d${n}.yaml`,
    detection: {
      id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name: `Detection ${n}`, description: 'x'.repeat(12),
      severity: 'low', status: 'production', author: 't', version: '1.0.0', mitre, query: 'print 1',
      sentinel: { enabled: true }, defender: { enabled: true }, ...extra,
    },
  };
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLibrary } from '../../src/build/index.ts';
import type { Detection } from '../../src/detection/types.ts';
import { byName, loaded } from './helpers.ts';

// Strings that have broken JSON or template rendering in other tools, mixed into arbitrary full-Unicode text.
const hostile = fc.constantFrom('"', '\\', '\\"', '\n', '\r\n', '\t', '{{', '}}', '{{{x}}}', '{{json rule}}', '</script>', '<!--', '&amp;', "'", '`', '\u2028', '\u0000', '😀', '👩🏽‍💻', 'é', '\uD83D\uDE00', '${x}', '%s');
const text = fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), hostile), { maxLength: 12 }).map((parts) => parts.join(''));
// Lengths in code points, as JSON Schema counts them (an astral emoji is one character, two UTF-16 units).
const codePoints = (s: string) => [...s];
const nonEmpty = (max: number) =>
  text.map((s) => codePoints(codePoints(s).length >= 10 ? s : `padding ${s} padding`).slice(0, max).join('')).filter((s) => codePoints(s).length >= 10);

const base = byName('SSH brute force from a device').detection;

describe('template injection: any string in any field round-trips through the JSON artifacts', () => {
  it('names, descriptions, alert texts, device groups and the query text survive exactly on both platforms', () => {
    fc.assert(
      fc.property(nonEmpty(256), nonEmpty(5000), nonEmpty(256), nonEmpty(2000), text, nonEmpty(100), (name, description, title, recommended, comment, deviceGroup) => {
        // The query keeps its meaning but carries arbitrary text in a comment and a string literal.
        const literal = JSON.stringify(comment.replace(/[\r\n\u2028\u2029]/g, ' '));
        const query = `// ${comment.replace(/[\r\n\u2028\u2029]/g, ' ')}\n${base.query}| extend Note = ${literal}\n`;
        const detection: Detection = {
          ...base, name, description, query,
          defender: { ...base.defender!, alert: { title, description, recommendedActions: recommended }, deviceGroups: [deviceGroup] },
          sentinel: { ...base.sentinel!, alertDetailsOverride: { alertDisplayNameFormat: title, alertDescriptionFormat: recommended } },
        };
        const result = buildLibrary([loaded(detection)], { kqlErrorsAsWarnings: true });
        const sentinel = result.artifacts.find((a) => a.platform === 'sentinel');
        const defender = result.artifacts.find((a) => a.platform === 'defender');
        expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const s = (JSON.parse(sentinel!.content) as { resources: { properties: Record<string, any> }[] }).resources[0]!.properties;
        expect(s.displayName).toBe(name);
        expect(s.description).toBe(description);
        expect(s.alertDetailsOverride).toEqual({ alertDisplayNameFormat: title, alertDescriptionFormat: recommended });
        // Exactly the source query, apart from the one Timestamp column reference the Sentinel dialect renames.
        expect(s.query).toBe(query.replace('arg_max(Timestamp,', 'arg_max(TimeGenerated,'));
        const d = JSON.parse(defender!.content) as Record<string, any>;
        expect(d.displayName).toBe(name);
        expect(d.description).toBe(description);
        expect(d.queryCondition.queryText).toBe(query);
        expect(d.detectionAction.alertTemplate).toMatchObject({ title, description, recommendedActions: recommended });
        expect(d.detectionAction.organizationalScope).toEqual({ deviceGroups: [deviceGroup] });
        const entry = result.manifest.artifacts.find((e) => e.platform === 'defender')!;
        expect(entry.name).toBe(name);
      }),
      { numRuns: 30 },
    );
  });

  it('a 10 KB description with every hostile fragment is carried verbatim', () => {
    const long = ('</script>{{x}}"\\\n😀 '.repeat(400)).slice(0, 5000);
    const result = buildLibrary([loaded({ ...base, description: long })]);
    for (const a of result.artifacts) expect(a.content).not.toContain('</script>{{x}}"\\\n');
    const d = JSON.parse(result.artifacts.find((a) => a.platform === 'defender')!.content);
    expect(d.description).toBe(long);
  });
});

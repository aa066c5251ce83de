/**
 * A unified line diff (LCS, 3 lines of context) for showing compiled artifacts in a PR comment. Artifacts
 * are a few hundred lines at most, so the quadratic table is cheap; past MAX_CELLS the diff degrades to
 * "all old lines removed, all new lines added" rather than using unbounded memory.
 */
const CONTEXT = 3;
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; text: string; oldLine: number; newLine: number };

function editScript(a: string[], b: string[]): Op[] {
  const ops: Op[] = [];
  if ((a.length + 1) * (b.length + 1) > MAX_CELLS) {
    a.forEach((text, i) => ops.push({ kind: '-', text, oldLine: i + 1, newLine: 0 }));
    b.forEach((text, j) => ops.push({ kind: '+', text, oldLine: a.length, newLine: j + 1 }));
    return ops;
  }
  // lcs[i][j] = length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
    }
  }
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i]!, oldLine: ++i, newLine: ++j });
    } else if (i < a.length && (j === b.length || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
      // On a tie, removals come first, as in `git diff`.
      ops.push({ kind: '-', text: a[i]!, oldLine: ++i, newLine: j });
    } else {
      ops.push({ kind: '+', text: b[j]!, oldLine: i, newLine: ++j });
    }
  }
  return ops;
}

/** Unified diff body (hunks with @@ headers) of two texts; empty string when they are equal. */
export function unifiedDiff(before: string, after: string): string {
  if (before === after) return '';
  const split = (s: string) => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));
  const ops = editScript(split(before), split(after));
  const changed = ops.map((op, k) => (op.kind !== ' ' ? k : -1)).filter((k) => k >= 0);
  const out: string[] = [];
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k]! - CONTEXT);
    let end = changed[k]! + CONTEXT;
    while (k + 1 < changed.length && changed[k + 1]! - CONTEXT <= end + 1) end = changed[++k]! + CONTEXT;
    end = Math.min(ops.length - 1, end);
    k++;
    const hunk = ops.slice(start, end + 1);
    const oldCount = hunk.filter((o) => o.kind !== '+').length;
    const newCount = hunk.filter((o) => o.kind !== '-').length;
    const first = hunk[0]!;
    const oldStart = first.kind === '+' ? first.oldLine + (oldCount ? 1 : 0) : first.oldLine;
    const newStart = first.kind === '-' ? first.newLine + (newCount ? 1 : 0) : first.newLine;
    out.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.text}`);
  }
  return out.join('\n') + '\n';
}

/**
 * Pulls KQL out of content that is not in our format, so the same Kusto.Language check can run over
 * other people's rules: `query:` fields of Azure-Sentinel YAML, fenced blocks in Markdown write-ups,
 * and whole .kql files.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parseDocument } from 'yaml';

export interface ExtractedQuery {
  file: string;
  /** 1-based line where the query text starts. */
  line: number;
  /** Fence info or YAML key, for messages. */
  origin: string;
  query: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)[^\n]*$/;
const KQL_FENCE_LANGS = new Set(['kql', 'kusto', 'sql', 'csl', '']);
// A fenced block without a language is KQL only if it looks like it (first pipe stage or a let).
const LOOKS_LIKE_KQL = /^\s*(let\s+\w+\s*=|[A-Za-z_][\w]*\s*(\r?\n\s*)?\|\s*(where|extend|project|summarize|join|take|limit|sort|order|top|distinct|mv-expand|parse|union|count|invoke)\b|union\b|datatable\b|print\b|externaldata\b|search\b)/i;

export function extractQueries(file: string, text: string = readFileSync(file, 'utf8')): ExtractedQuery[] {
  const ext = extname(file).toLowerCase();
  if (ext === '.kql' || ext === '.csl') return text.trim() ? [{ file, line: 1, origin: 'file', query: text }] : [];
  if (ext === '.md' || ext === '.markdown') return fromMarkdown(file, text);
  if (ext === '.yaml' || ext === '.yml') return fromYaml(file, text);
  return [];
}

function fromMarkdown(file: string, text: string): ExtractedQuery[] {
  const lines = text.split(/\r?\n/);
  const out: ExtractedQuery[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, , fence, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(fence!)) body.push(lines[j++]!);
    const query = body.join('\n');
    const language = (lang ?? '').toLowerCase();
    if (KQL_FENCE_LANGS.has(language) && query.trim() && (language === 'kql' || language === 'kusto' || LOOKS_LIKE_KQL.test(stripComments(query)))) {
      out.push({ file, line: i + 2, origin: `\`\`\`${lang ?? ''}`, query });
    }
    i = j;
  }
  return out;
}

function stripComments(q: string): string {
  return q.replace(/^\s*\/\/.*$/gm, '').trimStart();
}

function fromYaml(file: string, text: string): ExtractedQuery[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  if (doc.errors.length || !isMap(doc.contents)) return [];
  const out: ExtractedQuery[] = [];
  for (const item of doc.contents.items) {
    if (!isPair(item) || !isScalar(item.key) || !isScalar(item.value)) continue;
    if (String(item.key.value) !== 'query' || typeof item.value.value !== 'string') continue;
    const start = item.value.range?.[0] ?? 0;
    const block = item.value.type === 'BLOCK_LITERAL' || item.value.type === 'BLOCK_FOLDED';
    out.push({ file, line: lineCounter.linePos(start).line + (block ? 1 : 0), origin: 'query:', query: item.value.value });
  }
  return out;
}

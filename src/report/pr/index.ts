/** `dac pr-report`: the review of a pull request's detection changes as a PR comment (Markdown) or JSON. */
export { buildPrReport, hasFindings, type PrReport, type DetectionChange, type ArtifactDiff, type PrReportOptions } from './model.ts';
export { renderPrReportMarkdown, PR_REPORT_MARKER, GITHUB_COMMENT_LIMIT } from './render-markdown.ts';
export { unifiedDiff } from './line-diff.ts';

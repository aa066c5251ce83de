/** Renders one platform artifact from a template: Handlebars with helpers → JSON.parse → canonical text. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Platform } from '../kql/table-schemas.ts';
import { repoPath } from '../paths.ts';
import { TEMPLATE_HELPERS } from './template-helpers.ts';

export const DEFAULT_TEMPLATES = repoPath('templates');
const TEMPLATE_FILES: Record<Platform, string> = { sentinel: 'sentinel/alert-rule.json.hbs', defender: 'defender/detection-rule.json.hbs' };

export class TemplateError extends Error {}

type Compiled = HandlebarsTemplateDelegate<unknown>;

/** Compiled templates of one folder; an organisation's folder may override either platform's file. */
export class TemplateSet {
  private readonly compiled = new Map<Platform, Compiled>();
  private readonly hb = Handlebars.create();

  constructor(readonly dir: string = DEFAULT_TEMPLATES) {
    for (const [name, helper] of Object.entries(TEMPLATE_HELPERS)) this.hb.registerHelper(name, helper);
  }

  templatePath(platform: Platform): string {
    const own = join(this.dir, TEMPLATE_FILES[platform]);
    return existsSync(own) ? own : join(DEFAULT_TEMPLATES, TEMPLATE_FILES[platform]);
  }

  private template(platform: Platform): Compiled {
    let t = this.compiled.get(platform);
    if (!t) {
      const path = this.templatePath(platform);
      // noEscape: values are JSON-encoded by the json helper; HTML escaping must never touch them.
      // strict: a misspelt field in a template is an error, not a silently missing value.
      t = this.hb.compile(readFileSync(path, 'utf8'), { noEscape: true, strict: true });
      this.compiled.set(platform, t);
    }
    return t;
  }

  /** Renders and parses; returns the canonical JSON text (2 spaces, trailing newline) and the value. */
  render(platform: Platform, view: unknown): { content: string; json: unknown } {
    let text: string;
    try {
      text = this.template(platform)({ rule: view });
    } catch (err) {
      throw new TemplateError(`${this.templatePath(platform)}: ${(err as Error).message}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new TemplateError(`${this.templatePath(platform)} produced invalid JSON: ${(err as Error).message}`);
    }
    return { content: JSON.stringify(json, null, 2) + '\n', json };
  }
}

/** What plan and apply need from a platform's rule API; one implementation per platform. */
import type { Platform } from '../../kql/table-schemas.ts';
import type { DesiredRule } from '../desired.ts';
import type { LiveRule } from '../plan.ts';

export interface RuleStore {
  platform: Platform;
  list(): Promise<LiveRule[]>;
  create(rule: DesiredRule): Promise<void>;
  update(rule: DesiredRule, live: LiveRule): Promise<void>;
  remove(live: LiveRule): Promise<void>;
}

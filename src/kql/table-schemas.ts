/**
 * Table schemas per platform, read from schemas/tables/*.json (copied from the team's reference notes,
 * sources in schemas/tables/SOURCES.md). The same table has different columns and types on each side:
 * Defender advanced hunting vs Sentinel (Log Analytics).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoPath } from '../paths.ts';

export const PLATFORMS = ['defender', 'sentinel'] as const;
export type Platform = (typeof PLATFORMS)[number];

export type KustoScalarType =
  | 'string' | 'int' | 'long' | 'real' | 'bool' | 'datetime' | 'timespan' | 'dynamic' | 'guid' | 'decimal';

export interface ColumnDef {
  name: string;
  type: KustoScalarType;
}

export interface PlatformTable {
  name: string;
  /** Time column on this platform, or null (e.g. DeviceTvmSoftwareVulnerabilities). */
  timeColumn: string | null;
  columns: ColumnDef[];
}

interface RawColumn {
  name: string;
  type: KustoScalarType;
  typeByPlatform?: Partial<Record<Platform, KustoScalarType>>;
  platforms?: Platform[];
}
interface RawTable {
  name: string;
  platforms: Platform[];
  timeColumn?: Partial<Record<Platform, string | null>> | null;
  columns: RawColumn[];
}

export type TableCatalog = Map<string, PlatformTable>;

const cache = new Map<string, Record<Platform, TableCatalog>>();

/** All tables that exist on `platform`, keyed by table name. */
export function tablesFor(platform: Platform, dir = repoPath('schemas/tables')): TableCatalog {
  let byPlatform = cache.get(dir);
  if (!byPlatform) {
    byPlatform = loadTableDir(dir);
    cache.set(dir, byPlatform);
  }
  return byPlatform[platform];
}

function loadTableDir(dir: string): Record<Platform, TableCatalog> {
  const result: Record<Platform, TableCatalog> = { defender: new Map(), sentinel: new Map() };
  let standard: RawColumn[] = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  for (const file of files) {
    const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as RawTable;
    if (file.startsWith('_sentinel-standard-columns')) standard = raw.columns;
  }
  for (const file of files) {
    if (file.startsWith('_')) continue;
    const raw = JSON.parse(readFileSync(join(dir, file), 'utf8')) as RawTable;
    for (const platform of raw.platforms) {
      const columns: ColumnDef[] = raw.columns
        .filter((c) => !c.platforms || c.platforms.includes(platform))
        .map((c) => ({ name: c.name, type: c.typeByPlatform?.[platform] ?? c.type }));
      if (platform === 'sentinel') {
        // Log Analytics adds its standard columns to every table, even where the reference page omits them.
        const present = new Set(columns.map((c) => c.name));
        for (const c of standard) if (!present.has(c.name)) columns.push({ name: c.name, type: c.type });
      }
      result[platform].set(raw.name, {
        name: raw.name,
        timeColumn: raw.timeColumn?.[platform] ?? null,
        columns,
      });
    }
  }
  return result;
}

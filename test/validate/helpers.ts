import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.ts';

/** A detection that passes every check on both platforms; tests break one thing at a time. */
export const VALID_DETECTION = `# yaml-language-server: $schema=../schemas/detection.schema.json
id: 3f1c2b9e-8d4a-4c6e-9b1a-2e5f7a9c0d11
name: Outbound HTTP with curl user agent
description: Flags outbound HTTP requests whose user agent is curl, a common tool for staging payloads.
severity: medium
status: production
author: kql-dac tests
version: 1.0.0
mitre:
  - technique: T1071.001
    tactic: command-and-control
query: |
  DeviceNetworkEvents
  | where ActionType == "HttpConnectionInspected"
  | extend json = todynamic(AdditionalFields)
  | extend UserAgent = tostring(json.user_agent)
  | where UserAgent startswith "curl/"
  | project Timestamp, DeviceId, DeviceName, ReportId, RemoteIP, UserAgent
sentinel:
  enabled: true
  queryFrequency: PT1H
  queryPeriod: PT1H
  entityMappings:
    - entityType: Host
      fieldMappings:
        - identifier: HostName
          columnName: DeviceName
  customDetails:
    UserAgent: UserAgent
defender:
  enabled: true
  frequency: PT1H
  entityMappings:
    hosts:
      - deviceIdColumn: DeviceId
        nameColumn: DeviceName
`;

export function tempLibrary(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dac-validate-'));
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  }
  return dir;
}

/** Replaces exactly one occurrence of `from` in the valid detection, failing loudly if the anchor moved. */
export function mutate(from: string, to: string, base = VALID_DETECTION): string {
  const at = base.indexOf(from);
  if (at < 0 || base.indexOf(from, at + 1) >= 0) throw new Error(`mutation anchor not unique: ${from}`);
  return base.slice(0, at) + to + base.slice(at + from.length);
}

export function only(diagnostics: Diagnostic[], code: string): Diagnostic {
  const found = diagnostics.filter((d) => d.code === code);
  if (found.length !== 1) throw new Error(`expected one ${code}, got: ${JSON.stringify(diagnostics, null, 1)}`);
  return found[0]!;
}

/** Credentials: DefaultAzureCredential in real use (OIDC in GitHub Actions, Azure CLI locally, managed identity). */
import { readFileSync } from 'node:fs';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import type { Target } from '../targets.ts';

/** A fixed token, selected only by `auth: test-token` in a targets file (the local test server). */
export const TEST_TOKEN = 'kql-dac-local-test-token';

export function credentialFor(target: Target): TokenCredential {
  if (target.auth === 'test-token') {
    return { getToken: async () => ({ token: TEST_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  }
  return new DefaultAzureCredential({ tenantId: target.tenantId });
}

export function extraCa(target: Target): string | undefined {
  return target.endpoints.caFile ? readFileSync(target.endpoints.caFile, 'utf8') : undefined;
}

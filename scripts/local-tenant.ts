// Starts the local test tenant (the HTTPS server the deploy tests use) in the foreground, for trying
// `dac plan` / `dac apply` without a real tenant:
//   npx tsx scripts/local-tenant.ts &        # listens on https://127.0.0.1:8443, CA in out/local-tenant/ca.pem
//   npx dac build && npx dac plan --env local --targets deploy/targets.local.yaml
// Stop it with Ctrl-C (or kill %1). The port can be changed with LOCAL_TENANT_PORT.
import { copyFileSync, mkdirSync } from 'node:fs';
import { makeCertificate } from '../test/deploy/server/certificate.ts';
import { MockTenant } from '../test/deploy/server/mock-tenant.ts';

const cert = makeCertificate();
mkdirSync('out/local-tenant', { recursive: true });
copyFileSync(cert.caFile, 'out/local-tenant/ca.pem');
const tenant = new MockTenant(cert);
tenant.addUnmanagedSentinelRule('ws-local', '0b7a3c1e-0000-4000-8000-000000000001', 'A rule made in the portal (never touched)');
const url = await tenant.start(Number(process.env.LOCAL_TENANT_PORT ?? 8443));
console.log(`local tenant on ${url} (CA: out/local-tenant/ca.pem); Ctrl-C to stop`);
const stop = async () => {
  await tenant.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

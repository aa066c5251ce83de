/**
 * Deterministic DeviceNetworkEvents rows for the benchmark: a Zeek action-type mix with realistic
 * AdditionalFields JSON (field names from the MDE Zeek seed queries) and a few planted attacks, from a
 * seeded PRNG so every run — and both engines in a run — see the same rows.
 */
export const BENCH_COLUMNS = [
  { name: 'Timestamp', type: 'datetime' },
  { name: 'DeviceId', type: 'string' },
  { name: 'DeviceName', type: 'string' },
  { name: 'ActionType', type: 'string' },
  { name: 'RemoteIP', type: 'string' },
  { name: 'RemotePort', type: 'int' },
  { name: 'LocalIP', type: 'string' },
  { name: 'LocalPort', type: 'int' },
  { name: 'Protocol', type: 'string' },
  { name: 'InitiatingProcessFileName', type: 'string' },
  { name: 'AdditionalFields', type: 'string' },
  { name: 'ReportId', type: 'long' },
] as const;

export const BENCH_START = Date.UTC(2024, 4, 1);
export const BENCH_NOW = '2024-05-02T00:00:00Z';

/** mulberry32: small, fast, good enough for synthetic data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.0.0',
  'Microsoft-CryptoAPI/10.0',
  'Microsoft-Delivery-Optimization/10.0',
  'Windows-Update-Agent/10.0.10011.16384 Client-Protocol/2.33',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0',
  'MICROSOFT_DEVICE_METADATA_RETRIEVAL_CLIENT',
  'curl/8.4.0',
  'Microsoft NCSI',
  'WinHttp-Autoproxy-Service/5.1',
];
const HOSTS = ['www.msftconnecttest.com', 'ctldl.windowsupdate.com', 'crl.microsoft.com', 'ocsp.digicert.com', 'download.windowsupdate.com', 'intranet.contoso.local', 'pki.contoso.com'];
const PATHS = ['/connecttest.txt', '/msdownload/update/v3/static/trustedr/en/authrootstl.cab', '/pki/crl/products/MicRooCerAut2011_2011_03_22.crl', '/MFEwTzBNMEswSTAJBgUrDgMCGgUABBQ', '/index.html', '/api/v1/status', '/images/logo.png'];
const DOWNLOADS = ['/files/setup.exe', '/tools/update.ps1', '/payload/stage2.dll', '/archive/backup.zip', '/dl/agent.7z', '/scripts/run.bat', '/install.sh'];
const DNS_NAMES = ['download.windowsupdate.com', 'login.microsoftonline.com', 'graph.microsoft.com', 'www.bing.com', 'outlook.office365.com', 'dc01.contoso.local'];
const PROCESSES = ['svchost.exe', 'chrome.exe', 'msedge.exe', 'OneDrive.exe', 'Teams.exe', 'powershell.exe'];
const ACTION_MIX: [string, number][] = [
  ['ConnectionSuccess', 0.38],
  ['HttpConnectionInspected', 0.2],
  ['DnsConnectionInspected', 0.15],
  ['SslConnectionInspected', 0.08],
  ['IcmpConnectionInspected', 0.07],
  ['SshConnectionInspected', 0.04],
  ['ConnectionFailed', 0.03],
  ['InboundConnectionAccepted', 0.03],
  ['ConnectionRequest', 0.02],
];

export interface BenchData {
  rows: unknown[][];
  planted: { rareAgentRows: number; downloads: number; bruteForcePairs: number; icmpUploads: number; pingSweeps: number };
}

export function generateRows(count: number, seed = 1337): BenchData {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const deviceCount = Math.max(20, Math.min(2000, Math.floor(count / 500)));
  const devices = Array.from({ length: deviceCount }, (_, i) => ({
    id: (0x1f00000 + i * 7919).toString(16).padStart(40, 'a'),
    name: `ws-${String(i).padStart(4, '0')}.contoso.local`,
    ip: `10.${(i >> 8) & 255}.${i & 255}.${10 + (i % 200)}`,
  }));
  const publicIp = () => `${20 + Math.floor(rand() * 180)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`;
  const privateIp = () => `10.${Math.floor(rand() * 4)}.${Math.floor(rand() * 256)}.${1 + Math.floor(rand() * 254)}`;
  const cumulative = ACTION_MIX.map((_, i) => ACTION_MIX.slice(0, i + 1).reduce((s, [, x]) => s + x, 0));
  const stepMs = 86_400_000 / count;
  const rows: unknown[][] = [];
  const planted = { rareAgentRows: 0, downloads: 0, bruteForcePairs: 3, icmpUploads: 0, pingSweeps: 2 };
  const uid = () => 'C' + Math.floor(rand() * 2 ** 52).toString(36);
  const push = (ms: number, dev: (typeof devices)[number], action: string, remoteIp: string, remotePort: number, protocol: string, fields: object | null) => {
    rows.push([new Date(ms).toISOString(), dev.id, dev.name, action, remoteIp, remotePort, dev.ip, 49152 + Math.floor(rand() * 16000), protocol, pick(PROCESSES), fields ? JSON.stringify(fields) : '', rows.length + 1]);
  };

  for (let i = 0; i < count; i++) {
    const ms = BENCH_START + Math.floor(i * stepMs);
    const dev = devices[Math.floor(rand() * deviceCount)]!;
    const r = rand();
    const action = ACTION_MIX[cumulative.findIndex((c) => r < c)]?.[0] ?? 'ConnectionSuccess';
    switch (action) {
      case 'HttpConnectionInspected': {
        // Long-tailed agents: most traffic uses a handful of agents, a few devices use rare ones.
        const rare = rand() < 0.0005;
        const download = rand() < 0.004;
        if (rare) planted.rareAgentRows++;
        if (download) planted.downloads++;
        push(ms, dev, action, publicIp(), 80, 'Tcp', {
          direction: rand() < 0.95 ? 'Out' : 'In', host: pick(HOSTS), method: rand() < 0.9 ? 'GET' : 'POST',
          uri: download ? pick(DOWNLOADS) : pick(PATHS), user_agent: rare ? `TrickXYZ ${1 + Math.floor(rand() * 3)}.0` : USER_AGENTS[Math.floor(rand() ** 2 * USER_AGENTS.length)],
          version: '1.1', status_code: rand() < 0.92 ? 200 : 404, status_msg: 'OK', request_body_len: 0,
          response_body_len: Math.floor(rand() * 50000), resp_mime_types: [download ? 'application/x-dosexec' : 'text/html'], trans_depth: 1, uid: uid(),
        });
        break;
      }
      case 'SshConnectionInspected':
        push(ms, dev, action, rand() < 0.5 ? privateIp() : publicIp(), 22, 'Tcp', {
          direction: 'Out', auth_attempts: 1 + Math.floor(rand() * 2), auth_success: rand() < 0.97,
          client: 'SSH-2.0-OpenSSH_for_Windows_8.1', server: pick(['SSH-2.0-OpenSSH_7.4', 'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6']), version: 2, uid: uid(),
        });
        break;
      case 'IcmpConnectionInspected':
        push(ms, dev, action, rand() < 0.8 ? pick(['8.8.8.8', '1.1.1.1', '13.107.4.52']) : privateIp(), 0, 'Icmp', {
          direction: 'Out', orig_bytes: 32 + Math.floor(rand() * 64), resp_bytes: 32 + Math.floor(rand() * 64), duration: Math.floor(rand() * 5), orig_pkts: 1 + Math.floor(rand() * 4), uid: uid(),
        });
        break;
      case 'DnsConnectionInspected':
        push(ms, dev, action, '10.0.0.53', 53, 'Udp', { direction: 'Out', query: pick(DNS_NAMES), qtype_name: 'A', rcode_name: 'NOERROR', uid: uid() });
        break;
      case 'SslConnectionInspected':
        push(ms, dev, action, publicIp(), 443, 'Tcp', { direction: 'Out', server_name: pick(HOSTS), version: 'TLSv12', established: true, uid: uid() });
        break;
      default:
        push(ms, dev, action, rand() < 0.7 ? publicIp() : privateIp(), pick([443, 80, 445, 135, 3389]), 'Tcp', null);
    }
  }

  // Planted attacks, spread over the day.
  for (let p = 0; p < 3; p++) {
    const dev = devices[p * 3]!;
    const target = `10.9.9.${p + 1}`;
    for (let s = 0; s < 20; s++) push(BENCH_START + 3_600_000 * (p + 1) + s * 30_000, dev, 'SshConnectionInspected', target, 22, 'Tcp', { direction: 'Out', auth_attempts: 4 + (s % 5), auth_success: false, client: 'SSH-2.0-libssh2_1.10.0', server: 'SSH-2.0-OpenSSH_7.4', version: 2, uid: uid() });
  }
  for (let p = 0; p < 3; p++) {
    planted.icmpUploads++;
    push(BENCH_START + 7_200_000 * (p + 2), devices[p + 5]!, 'IcmpConnectionInspected', '45.77.12.' + (p + 10), 0, 'Icmp', { direction: 'Out', orig_bytes: 600_000 + p * 250_000, resp_bytes: 64, duration: 150 + p * 60, orig_pkts: 900, uid: uid() });
  }
  for (let p = 0; p < 2; p++) {
    for (let h = 1; h <= 30; h++) push(BENCH_START + 40_000_000 + p * 9_000_000 + h * 5_000, devices[p + 11]!, 'IcmpConnectionInspected', `10.20.${p}.${h}`, 0, 'Icmp', { direction: 'Out', orig_bytes: 32, resp_bytes: 32, duration: 0, orig_pkts: 1, uid: uid() });
  }
  return { rows, planted };
}

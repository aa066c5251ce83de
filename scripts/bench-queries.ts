/**
 * The five benchmark detections: KQL as in the MDE Zeek hunting seed queries
 * (../shared/seed-queries/mde-zeek-hunting-queries.md beside the repository), and the same logic hand-translated to DuckDB SQL.
 */
export interface BenchQuery {
  id: string;
  title: string;
  kql: string;
  sql: string;
}

const JSON_FIELD = (f: string) => `json_extract_string(AdditionalFields, '$.${f}')`;

export const BENCH_QUERIES: BenchQuery[] = [
  {
    id: 'T1071.001',
    title: 'rare user agents',
    kql: `DeviceNetworkEvents
| where ActionType == 'HttpConnectionInspected'
| extend json = todynamic(AdditionalFields)
| extend direction = tostring(json.direction), user_agent = tostring(json.user_agent)
| where direction == 'Out'
| summarize Devices = dcount(DeviceId) by user_agent
| sort by Devices asc`,
    sql: `SELECT ${JSON_FIELD('user_agent')} AS user_agent, count(DISTINCT DeviceId) AS Devices
FROM DeviceNetworkEvents
WHERE ActionType = 'HttpConnectionInspected' AND ${JSON_FIELD('direction')} = 'Out'
GROUP BY 1 ORDER BY Devices ASC`,
  },
  {
    id: 'T1105',
    title: 'executable downloads over HTTP',
    kql: `DeviceNetworkEvents
| where ActionType == 'HttpConnectionInspected'
| extend json = todynamic(AdditionalFields)
| extend direction = tostring(json.direction), user_agent = tostring(json.user_agent), uri = tostring(json.uri)
| where uri matches regex @"\\.(?:dll|exe|zip|7z|ps1|ps|bat|sh)$"
| project Timestamp, DeviceId, DeviceName, RemoteIP, uri, user_agent`,
    sql: `SELECT Timestamp, DeviceId, DeviceName, RemoteIP, ${JSON_FIELD('uri')} AS uri, ${JSON_FIELD('user_agent')} AS user_agent
FROM DeviceNetworkEvents
WHERE ActionType = 'HttpConnectionInspected' AND regexp_matches(${JSON_FIELD('uri')}, '\\.(?:dll|exe|zip|7z|ps1|ps|bat|sh)$')`,
  },
  {
    id: 'T1110',
    title: 'SSH brute force',
    kql: `DeviceNetworkEvents
| where ActionType == 'SshConnectionInspected'
| extend json = todynamic(AdditionalFields)
| extend direction = tostring(json.direction), auth_attempts = toint(json.auth_attempts), auth_success = tostring(json.auth_success)
| where auth_success == 'false'
| where auth_attempts > 3
| summarize count() by LocalIP, RemoteIP
| where count_ > 4
| sort by count_ desc`,
    sql: `SELECT LocalIP, RemoteIP, count(*) AS count_
FROM DeviceNetworkEvents
WHERE ActionType = 'SshConnectionInspected' AND ${JSON_FIELD('auth_success')} = 'false' AND TRY_CAST(${JSON_FIELD('auth_attempts')} AS INTEGER) > 3
GROUP BY LocalIP, RemoteIP HAVING count(*) > 4 ORDER BY count_ DESC`,
  },
  {
    id: 'T1048',
    title: 'large upload over ICMP',
    kql: `DeviceNetworkEvents
| where ActionType == "IcmpConnectionInspected"
| extend json = todynamic(AdditionalFields)
| extend Upload = tolong(json['orig_bytes']), Download = tolong(json['resp_bytes']), Direction = tostring(json.direction), Duration = tolong(json.duration)
| where Direction == "Out" and Duration > 100 and Upload > 500000
| top 10 by Upload
| project RemoteIP, LocalIP, Upload = format_bytes(Upload, 2, "MB"), Download = format_bytes(Download, 2, "MB"), Direction, Duration, Timestamp, DeviceId, DeviceName`,
    sql: `SELECT RemoteIP, LocalIP, printf('%.2f MB', Upload / 1048576.0) AS Upload, printf('%.2f MB', Download / 1048576.0) AS Download, Direction, Duration, Timestamp, DeviceId, DeviceName
FROM (SELECT *, TRY_CAST(${JSON_FIELD('orig_bytes')} AS BIGINT) AS Upload, TRY_CAST(${JSON_FIELD('resp_bytes')} AS BIGINT) AS Download,
             ${JSON_FIELD('direction')} AS Direction, TRY_CAST(${JSON_FIELD('duration')} AS BIGINT) AS Duration
      FROM DeviceNetworkEvents WHERE ActionType = 'IcmpConnectionInspected')
WHERE Direction = 'Out' AND Duration > 100 AND Upload > 500000
ORDER BY Upload DESC LIMIT 10`,
  },
  {
    id: 'T1018',
    title: 'ping sweep',
    kql: `DeviceNetworkEvents
| where ActionType == "IcmpConnectionInspected"
| extend json = todynamic(AdditionalFields)
| extend Direction = json.direction
| where Direction == "Out" and ipv4_is_private(RemoteIP)
| summarize IpsList = make_set(RemoteIP) by DeviceId, bin(Timestamp, 10m)
| where array_length(IpsList) > 5`,
    sql: `SELECT DeviceId, time_bucket(INTERVAL 10 MINUTE, Timestamp) AS Timestamp, list(DISTINCT RemoteIP) AS IpsList
FROM DeviceNetworkEvents
WHERE ActionType = 'IcmpConnectionInspected' AND ${JSON_FIELD('direction')} = 'Out'
  AND regexp_matches(RemoteIP, '^(10\\.|192\\.168\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.)')
GROUP BY 1, 2 HAVING count(DISTINCT RemoteIP) > 5`,
  },
];

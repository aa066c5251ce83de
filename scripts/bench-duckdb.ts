/** DuckDB side of the benchmark: the same generated rows through the appender, the same five queries as SQL. */
import { DuckDBInstance, DuckDBTimestampValue, type DuckDBConnection } from '@duckdb/node-api';
import { BENCH_COLUMNS } from './bench-data.ts';

const SQL_TYPES: Record<string, string> = { datetime: 'TIMESTAMP', string: 'VARCHAR', int: 'INTEGER', long: 'BIGINT' };

/** `threads`: DuckDB's worker threads (default: one per core); the engine runs on one. */
export async function loadDuckDb(rows: unknown[][], threads?: number): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  if (threads !== undefined) await conn.run(`SET threads = ${threads}`);
  await conn.run(`CREATE TABLE DeviceNetworkEvents (${BENCH_COLUMNS.map((c) => `${c.name} ${SQL_TYPES[c.type]}`).join(', ')})`);
  const appender = await conn.createAppender('DeviceNetworkEvents');
  for (const row of rows) {
    appender.appendTimestamp(new DuckDBTimestampValue(BigInt(Date.parse(row[0] as string)) * 1000n));
    appender.appendVarchar(row[1] as string);
    appender.appendVarchar(row[2] as string);
    appender.appendVarchar(row[3] as string);
    appender.appendVarchar(row[4] as string);
    appender.appendInteger(row[5] as number);
    appender.appendVarchar(row[6] as string);
    appender.appendInteger(row[7] as number);
    appender.appendVarchar(row[8] as string);
    appender.appendVarchar(row[9] as string);
    // Kusto's empty string is DuckDB's NULL here: json_extract_string rejects '' as malformed JSON.
    if (row[10] === '') appender.appendNull();
    else appender.appendVarchar(row[10] as string);
    appender.appendBigInt(BigInt(row[11] as number));
    appender.endRow();
  }
  appender.closeSync();
  return conn;
}

export async function runDuckDb(conn: DuckDBConnection, sql: string): Promise<number> {
  const reader = await conn.runAndReadAll(sql);
  return reader.currentRowCount;
}

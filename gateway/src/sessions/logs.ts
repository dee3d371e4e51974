/** A log line as the REST API returns it (read from the Postgres archive). */
export interface LogLine {
  id: string;
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
  ts: number;
}

/**
 * The environment of a gateway and a worker that share one deployment (the variables the
 * README lists), from the pieces a caller started: the integration tests' stack and the chaos
 * run configure their processes the same way through this one function.
 */
import { join } from 'node:path';

export interface ServiceEnvironmentOptions {
  dataDir: string;
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  agentsFile: string;
  temporalAddress: string;
  /** The gateway's HTTP port. */
  port: number;
  workerMetricsPort: number;
  /** Require API tokens on /api and /ws. */
  auth: boolean;
  heartbeatTimeoutMs?: number;
  /** Serve the built console from ui/build (off: nothing is served outside /api and /ws). */
  serveConsole?: boolean;
  logLevel: string;
  /** How often workers re-read the agent registry (default here 1 s, so changes show quickly). */
  agentRefreshMs?: number;
}

export function serviceEnvironment(options: ServiceEnvironmentOptions): Record<string, string> {
  return {
    DATA_DIR: options.dataDir,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: options.redisKeyPrefix,
    AGENTS_FILE: options.agentsFile,
    ALLOWED_REPO_ROOTS: join(options.dataDir, 'repos'),
    TEMPORAL_ADDRESS: options.temporalAddress,
    TEMPORAL_WEB_URL: 'http://127.0.0.1:8233',
    HOST: '127.0.0.1',
    PORT: String(options.port),
    AUTH_REQUIRED: options.auth ? 'true' : 'false',
    WORKER_METRICS_PORT: String(options.workerMetricsPort),
    ...(options.heartbeatTimeoutMs
      ? { AGENT_HEARTBEAT_TIMEOUT_MS: String(options.heartbeatTimeoutMs) }
      : {}),
    ...(options.serveConsole ? {} : { UI_DIR: join(options.dataDir, 'no-console') }),
    LOG_LEVEL: options.logLevel,
    AGENT_REFRESH_MS: String(options.agentRefreshMs ?? 1000),
  };
}

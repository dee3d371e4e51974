import { fileURLToPath } from 'node:url';
import type { SessionOptions } from '@orchestrator/workflows/types';
import { isLoopbackHost } from './auth.js';
import { readSecurityConfig, type SecurityConfig } from './security-config.js';

/** Gateway settings from the environment (README lists each). */
export interface GatewayConfig {
  host: string;
  port: number;
  temporalAddress: string;
  namespace: string;
  temporalWebUrl: string | null;
  authRequired: boolean;
  uiDir: string;
  sessionOptions: SessionOptions;
  /** Allowed origins and rate limits (security-config.ts). */
  security: SecurityConfig;
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new Error(`${name} must be a positive integer, got "${value}"`);
  }
  return parsed;
}

export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const host = env.HOST || '127.0.0.1';
  const auth = (env.AUTH_REQUIRED ?? 'auto').toLowerCase();
  if (!['auto', 'true', 'false'].includes(auth)) {
    throw new Error(`AUTH_REQUIRED must be auto, true or false, got "${env.AUTH_REQUIRED}"`);
  }
  if (auth === 'false' && !isLoopbackHost(host)) {
    throw new Error(
      `Refusing to serve without authentication on ${host}: AUTH_REQUIRED=false is only allowed on loopback.`,
    );
  }
  const heartbeatTimeoutMs = positiveInt(
    'AGENT_HEARTBEAT_TIMEOUT_MS',
    env.AGENT_HEARTBEAT_TIMEOUT_MS,
  );
  const stepTimeoutMs = positiveInt('AGENT_STEP_TIMEOUT_MS', env.AGENT_STEP_TIMEOUT_MS);
  return {
    host,
    port: positiveInt('PORT', env.PORT) ?? 3000,
    temporalAddress: env.TEMPORAL_ADDRESS || '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE || 'default',
    temporalWebUrl:
      env.TEMPORAL_WEB_URL === '' ? null : (env.TEMPORAL_WEB_URL ?? 'http://127.0.0.1:8233'),
    authRequired: auth === 'true' || (auth === 'auto' && !isLoopbackHost(host)),
    uiDir: env.UI_DIR || fileURLToPath(new URL('../../ui/build', import.meta.url)),
    security: readSecurityConfig(env),
    sessionOptions: {
      ...(heartbeatTimeoutMs ? { heartbeatTimeoutMs } : {}),
      ...(stepTimeoutMs ? { stepTimeoutMs } : {}),
    },
  };
}

/**
 * The gateway as a service over opened storage: connects a Temporal client, wires readiness
 * checks, listens. Used by main.ts, the embedded launcher and the tests.
 */
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { describeAgents } from '@orchestrator/activities/agents/agent-overview';
import { agentQueueLoad } from '@orchestrator/activities/agents/agent-queues';
import type { Storage } from '@orchestrator/activities/storage';
import type { StorageSettings } from '@orchestrator/activities/settings';
import { createGateway, type Gateway } from './app.js';
import type { GatewayConfig } from './config.js';
import type { GatewayMetrics } from './metrics.js';
import { openRateLimiter } from './rate-limit-open.js';
import { loadGatewayTracingHooks } from './tracing.js';

export interface GatewayService {
  url: string;
  gateway: Gateway;
  client: Client;
  stop(): Promise<void>;
}

export async function startGatewayService(options: {
  config: GatewayConfig;
  storage: Storage;
  settings: StorageSettings;
  logger: Logger;
  sampleRepository?: string | null;
  /** Shared with an in-process worker (embedded mode), so /metrics shows both. */
  metrics?: GatewayMetrics;
  /** An in-process worker's registry refresh (embedded mode): agent writes apply at once. */
  onAgentsChanged?: () => void;
  /** Trace requests and Temporal calls; the process has started the OpenTelemetry SDK. */
  tracing?: boolean;
}): Promise<GatewayService> {
  const { config, storage, settings, logger } = options;
  const connection = await Connection.connect({ address: config.temporalAddress });
  const tracing = options.tracing ? await loadGatewayTracingHooks() : null;
  const client = new Client({
    connection,
    namespace: config.namespace,
    ...(tracing ? { interceptors: { workflow: tracing.workflowClientInterceptors } } : {}),
  });
  const rateLimiter = openRateLimiter({
    policy: config.security.rateLimit,
    redisUrl: settings.redisUrl,
    keyPrefix: settings.redisKeyPrefix,
    logger,
  });
  const gateway = createGateway({
    client,
    namespace: config.namespace,
    temporalWebUrl: config.temporalWebUrl,
    bus: storage.bus,
    readLogs: (sessionId, after, limit) =>
      storage.archive.list(sessionId, { ...(after ? { after } : {}), limit }),
    tokens: storage.tokens,
    authRequired: config.authRequired,
    audit: storage.audit,
    rateLimiter,
    allowedOrigins: config.security.allowedOrigins,
    agents: storage.agents,
    describeAgents: () =>
      describeAgents({
        store: storage.agents,
        ledger: storage.ledger,
        workers: storage.workerReports,
        queues: agentQueueLoad(connection, config.namespace),
      }),
    ...(options.onAgentsChanged ? { onAgentsChanged: options.onAgentsChanged } : {}),
    allowedRoots: settings.allowedRoots,
    sampleRepository: options.sampleRepository ?? null,
    sessionOptions: config.sessionOptions,
    readiness: [
      {
        name: 'temporal',
        check: async () => {
          await connection.workflowService.getSystemInfo({});
        },
      },
      { name: storage.databaseKind, check: () => storage.ping() },
      { name: settings.redisUrl ? 'redis' : 'log-bus', check: () => storage.bus.ping() },
    ],
    uiDir: config.uiDir,
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  tracing?.traceServer(gateway.server);
  const url = await gateway.listen(config.port, config.host);
  return {
    url,
    gateway,
    client,
    stop: async () => {
      await gateway.close();
      await rateLimiter?.close();
      await connection.close();
    },
  };
}

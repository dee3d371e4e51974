/**
 * The gateway as a service over opened storage: connects a Temporal client, wires readiness
 * checks, listens. Used by main.ts, the embedded launcher and the tests.
 */
import { Client, Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import type { Storage } from '@orchestrator/activities/storage';
import type { StorageSettings } from '@orchestrator/activities/settings';
import { createGateway, type Gateway } from './app.js';
import type { GatewayConfig } from './config.js';
import type { GatewayMetrics } from './metrics.js';

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
}): Promise<GatewayService> {
  const { config, storage, settings, logger } = options;
  const connection = await Connection.connect({ address: config.temporalAddress });
  const client = new Client({ connection, namespace: config.namespace });
  const gateway = createGateway({
    client,
    namespace: config.namespace,
    temporalWebUrl: config.temporalWebUrl,
    bus: storage.bus,
    readLogs: (sessionId, after, limit) =>
      storage.archive.list(sessionId, { ...(after ? { after } : {}), limit }),
    tokens: config.authRequired ? storage.tokens : null,
    agents: () => storage.agents.list(),
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
  const url = await gateway.listen(config.port, config.host);
  return {
    url,
    gateway,
    client,
    stop: async () => {
      await gateway.close();
      await connection.close();
    },
  };
}

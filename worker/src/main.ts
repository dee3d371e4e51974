/**
 * A worker process (Kubernetes, or `npm start` with DATABASE_URL and REDIS_URL set). Shuts down
 * gracefully on SIGTERM/SIGINT: stops polling, lets running steps finish, closes storage.
 *
 * HTTP on WORKER_METRICS_PORT (default 9091, 0 turns it off): /metrics, and /healthz and /readyz
 * for probes. The Temporal SDK's own metrics on TEMPORAL_SDK_METRICS_ADDRESS (host:port, off
 * unless set).
 *
 * Logs: JSON lines on stdout (LOG_FORMAT=pretty, or a terminal, for pino-pretty), the SDK's own
 * lines included, each with the session, workflow, run and activity it belongs to. Traces: off
 * unless the OTEL_* variables ask for them (tracing.ts).
 */
import { hostname } from 'node:os';
import { readStorageSettings } from '@orchestrator/activities/settings';
import { openStorage } from '@orchestrator/activities/storage';
import { readAgentPoolSettings } from './agent-pool.js';
import { serveMetrics } from './metrics-server.js';
import { createWorkerLogger } from './logging.js';
import { installTemporalRuntime } from './runtime.js';
import { startWorkerService } from './service.js';
import { startWorkerTracing } from './tracing.js';

const logger = createWorkerLogger({ name: 'worker' });
installTemporalRuntime({
  sdkMetricsAddress: process.env.TEMPORAL_SDK_METRICS_ADDRESS || undefined,
  logger,
});
const tracing = await startWorkerTracing({ serviceName: 'orchestrator-worker' });
if (tracing) logger.info('tracing on: spans export as the OTEL_* variables say');

const metricsPort = Number(process.env.WORKER_METRICS_PORT ?? 9091);
if (!Number.isInteger(metricsPort) || metricsPort < 0) {
  throw new Error(
    `WORKER_METRICS_PORT must be a port number (0 = off), got "${process.env.WORKER_METRICS_PORT}"`,
  );
}

const settings = readStorageSettings();
const storage = await openStorage(settings, logger);
const service = await startWorkerService({
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  storage,
  settings,
  logger,
  identity: `worker@${hostname()}:${process.pid}`,
  tracing,
  ...readAgentPoolSettings(),
});
const metricsServer =
  metricsPort > 0
    ? await serveMetrics(
        service.metricsRegistry,
        metricsPort,
        process.env.WORKER_METRICS_HOST ?? '0.0.0.0',
        () => service.readiness(),
      )
    : null;
if (metricsServer)
  logger.info(
    { port: metricsPort },
    'worker metrics, health and readiness on /metrics, /healthz, /readyz',
  );

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void service.stop();
  });
}
try {
  await service.done;
} catch (error) {
  logger.error({ err: error }, 'worker failed');
  process.exitCode = 1;
} finally {
  metricsServer?.close();
  await storage.close();
  await tracing?.shutdown();
}

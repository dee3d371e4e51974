/**
 * A worker process (Kubernetes, or `npm start` with DATABASE_URL and REDIS_URL set). Shuts down
 * gracefully on SIGTERM/SIGINT: stops polling, lets running steps finish, closes storage.
 */
import { hostname } from 'node:os';
import { pino } from 'pino';
import { readStorageSettings } from '@orchestrator/activities/settings';
import { openStorage } from '@orchestrator/activities/storage';
import { installTemporalRuntimeLogger } from './runtime-logger.js';
import { startWorkerService } from './service.js';

const logger = pino({ name: 'worker', level: process.env.LOG_LEVEL ?? 'info' });
installTemporalRuntimeLogger();

const settings = readStorageSettings();
const storage = await openStorage(settings, logger);
const service = await startWorkerService({
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  storage,
  settings,
  logger,
  identity: `worker@${hostname()}:${process.pid}`,
});

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
  await storage.close();
}

/**
 * A gateway process (Kubernetes, or `npm start` with DATABASE_URL and REDIS_URL set).
 */
import { pino } from 'pino';
import { readStorageSettings } from '@orchestrator/activities/settings';
import { openStorage } from '@orchestrator/activities/storage';
import { readGatewayConfig } from './config.js';
import { startGatewayService } from './service.js';

const logger = pino({ name: 'gateway', level: process.env.LOG_LEVEL ?? 'info' });
const config = readGatewayConfig();
const settings = readStorageSettings();
const storage = await openStorage(settings, logger);
const service = await startGatewayService({
  config,
  storage,
  settings,
  logger,
  sampleRepository: process.env.SAMPLE_REPOSITORY || null,
});
logger.info({ url: service.url, authRequired: config.authRequired }, 'gateway listening');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void service
      .stop()
      .then(() => storage.close())
      .finally(() => process.exit(0));
  });
}

/**
 * A gateway process (Kubernetes, or `npm start` with DATABASE_URL and REDIS_URL set). Logs JSON
 * lines (pretty on a terminal or with LOG_FORMAT=pretty); traces when the OTEL_* variables ask.
 */
import { createProcessLogger } from '@orchestrator/activities/process-logger';
import { readStorageSettings } from '@orchestrator/activities/settings';
import { openStorage } from '@orchestrator/activities/storage';
import { readGatewayConfig } from './config.js';
import { startGatewayService } from './service.js';
import { startGatewayTracing } from './tracing.js';

const logger = createProcessLogger({ name: 'gateway' });
const tracing = await startGatewayTracing({ serviceName: 'orchestrator-gateway' });
const config = readGatewayConfig();
const settings = readStorageSettings();
const storage = await openStorage(settings, logger);
const service = await startGatewayService({
  config,
  storage,
  settings,
  logger,
  sampleRepository: process.env.SAMPLE_REPOSITORY || null,
  tracing: tracing !== null,
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
      .then(() => tracing?.shutdown())
      .finally(() => process.exit(0));
  });
}

/**
 * `npm start`: everything on embedded defaults in one command.
 *
 * 1. Temporal: TEMPORAL_ADDRESS if set, else the project's dev server (CLI provisioned and cached,
 *    SQLite under .data/, Temporal Web on :8233, search attributes registered).
 * 2. Storage: PGlite unless DATABASE_URL, in-process log bus unless REDIS_URL.
 * 3. Worker and gateway: in this process when either store is embedded (they must share it);
 *    as two child processes when both DATABASE_URL and REDIS_URL are set, as in Kubernetes.
 * 4. Prints the URLs and the admin token; Ctrl-C stops everything it started.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import {
  provisionTemporalCli,
  startDevServer,
  type DevServer,
} from '@orchestrator/temporal-config';
import { readStorageSettings } from '@orchestrator/activities/settings';
import { openStorage, type Storage } from '@orchestrator/activities/storage';
import {
  createMetrics,
  readGatewayConfig,
  startGatewayService,
  type GatewayService,
} from '@orchestrator/gateway';
import {
  createWorkerLogger,
  installTemporalRuntime,
  readAgentPoolSettings,
  startWorkerService,
  startWorkerTracing,
  type WorkerService,
} from '@orchestrator/worker';
import { ensureAdminToken } from './admin-token.js';
import { ensureSampleRepository } from './sample-repository.js';

const say = (line: string) => console.log(`[start] ${line}`);
const env = process.env;
// Pretty on a terminal, JSON otherwise (LOG_FORMAT overrides), with workflow and activity ids.
const logger = createWorkerLogger({ name: 'orchestrator' });
installTemporalRuntime({
  sdkMetricsAddress: env.TEMPORAL_SDK_METRICS_ADDRESS || undefined,
  logger,
});

const stops: Array<() => Promise<unknown>> = [];
let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    say('stopping…');
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (error) {
        console.error(error);
      }
    }
    say('stopped.');
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

/** Polls the gateway's /healthz until it answers (a child process takes a moment to listen). */
async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    const ok = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`The gateway did not answer on ${url}/healthz within ${timeoutMs / 1000} s.`);
}

try {
  const settings = readStorageSettings();
  await mkdir(settings.dataDir, { recursive: true });

  // 1. Temporal
  let temporalAddress = env.TEMPORAL_ADDRESS;
  let temporalWebUrl = env.TEMPORAL_WEB_URL ?? null;
  if (!temporalAddress) {
    const cli = await provisionTemporalCli({ log: say });
    say(
      `Temporal CLI: ${cli.type === 'existing-path' ? `${cli.path} (${cli.source})` : 'SDK download'}`,
    );
    const dev: DevServer = await startDevServer({
      cli,
      port: Number(env.TEMPORAL_PORT ?? 7233),
      uiPort: Number(env.TEMPORAL_UI_PORT ?? 8233),
      dbFilename: join(settings.dataDir, 'temporal.sqlite'),
      logFile: join(settings.dataDir, 'temporal.log'),
    });
    stops.push(() => dev.stop());
    temporalAddress = dev.address;
    temporalWebUrl = dev.webUrl;
    say(
      `Temporal dev server on ${dev.address} (state in ${join(settings.dataDir, 'temporal.sqlite')})`,
    );
  }
  const childEnv = {
    ...env,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_WEB_URL: temporalWebUrl ?? '',
    DATA_DIR: settings.dataDir,
  };

  // 2. Sample repository and storage
  const sample = await ensureSampleRepository(join(settings.dataDir, 'repos', 'sample'));
  const storage: Storage = await openStorage(settings, logger);
  const admin = await ensureAdminToken(storage.tokens, settings.dataDir);
  const gatewayConfig = readGatewayConfig(childEnv);

  // 3. Worker and gateway
  let consoleUrl: string;
  const separate = Boolean(settings.databaseUrl && settings.redisUrl);
  if (separate) {
    await storage.close();
    const spawn = (name: string, entry: string): void => {
      const child = execa(process.execPath, ['--import', 'tsx', entry], {
        env: { ...childEnv, SAMPLE_REPOSITORY: sample },
        stdin: 'ignore',
        stdout: 'inherit',
        stderr: 'inherit',
        reject: false,
      });
      stops.push(async () => {
        child.kill('SIGTERM');
        await child;
      });
      void child.then((result) => {
        if (!stopping) {
          say(`${name} exited (${result.exitCode ?? result.signal}); stopping everything.`);
          void stopAll(1);
        }
      });
    };
    spawn('worker', 'worker/src/main.ts');
    spawn('gateway', 'gateway/src/main.ts');
    consoleUrl = `http://${gatewayConfig.host}:${gatewayConfig.port}`;
    await waitForHealth(consoleUrl, 60_000);
    say('worker and gateway started as separate processes (DATABASE_URL and REDIS_URL are set)');
  } else {
    stops.push(() => storage.close());
    // One SDK for both (OTEL_* variables; off when unset), stopped last so it exports every span.
    const tracing = await startWorkerTracing({ serviceName: 'orchestrator' });
    if (tracing) stops.push(() => tracing.shutdown());
    // One registry: the gateway's /metrics shows the in-process worker's step metrics too.
    const metrics = createMetrics();
    const worker: WorkerService = await startWorkerService({
      metricsRegistry: metrics.registry,
      temporalAddress,
      namespace: gatewayConfig.namespace,
      storage,
      settings,
      logger,
      ...readAgentPoolSettings(env),
      tracing,
    });
    stops.push(() => worker.stop());
    void worker.done.catch((error: unknown) => {
      logger.error({ err: error }, 'worker failed');
      void stopAll(1);
    });
    const gateway: GatewayService = await startGatewayService({
      config: gatewayConfig,
      storage,
      settings,
      logger,
      sampleRepository: sample,
      metrics,
      onAgentsChanged: () => void worker.refreshAgents(),
      tracing: tracing !== null,
    });
    stops.push(() => gateway.stop());
    consoleUrl = gateway.url;
    say(
      `worker and gateway in this process (${storage.databaseKind}, ${settings.redisUrl ? 'Redis' : 'in-process'} log bus)`,
    );
  }

  console.log('');
  console.log('  Industrial Orchestrator is running');
  console.log(`  Console:       ${consoleUrl}`);
  console.log(
    `  Temporal Web:  ${temporalWebUrl ?? '(none: external Temporal without TEMPORAL_WEB_URL)'}`,
  );
  console.log(`  Metrics:       ${consoleUrl}/metrics`);
  console.log(`  API docs:      ${consoleUrl}/api/openapi.json`);
  console.log(
    `  Admin token:   ${admin.token}  (${admin.created ? 'created now' : 'from'} ${admin.file}; ` +
      `${gatewayConfig.authRequired ? 'required' : 'needed once HOST is not loopback'})`,
  );
  console.log(`  Sample repo:   ${sample}`);
  console.log('  Press Ctrl-C to stop.');
  console.log('');
} catch (error) {
  console.error(`[start] ${error instanceof Error ? error.message : String(error)}`);
  await stopAll(1);
}

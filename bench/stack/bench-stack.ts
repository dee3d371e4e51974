/**
 * The system under measurement and its anchors, on real services, all owned by this run: the
 * project's Temporal dev server (provisioned CLI, search attributes registered, in memory), a
 * fresh Postgres database, a Redis key prefix, and as child processes, as in Kubernetes: the
 * gateway, the orchestrator worker and the anchor worker. Everything is removed by stop().
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';
import { pino } from 'pino';
import { Client, Connection } from '@temporalio/client';
import {
  provisionTemporalCli,
  startDevServer,
  type DevServer,
} from '@orchestrator/temporal-config';
import {
  connectTestRedis,
  createTestDatabase,
  dropRedisPrefix,
  TEST_REDIS_URL,
  uniqueName,
} from '@orchestrator/activities/testing/services';
import { readStorageSettings } from '@orchestrator/activities/settings';
import { openStorage } from '@orchestrator/activities/storage';
import { startNodeService, type NodeService } from '../../scripts/node-service.js';
import { ensureSampleRepository } from '../../scripts/sample-repository.js';
import { serviceEnvironment } from '../../scripts/service-environment.js';
import type { Progress } from '../core/progress.js';
import { BENCH_AGENT_LIST, CRASH_WORKER_AGENTS, WORKER_AGENTS } from './agents.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Bundling workflow code takes seconds alone and minutes on a loaded 2-core machine. */
const READY_TIMEOUT_MS = 300_000;

export interface BenchStackOptions {
  heartbeatTimeoutMs: number;
  /** Where gateway and worker write V8 CPU profiles; null: no profiling. */
  cpuProfileDir: string | null;
  progress: Progress;
}

export interface BenchStack {
  temporal: DevServer;
  /** The bench's own Temporal client (anchors, visibility, histories). */
  client: Client;
  gatewayUrl: string;
  wsUrl: string;
  sampleRepository: string;
  redisUrl: string;
  redisPrefix: string;
  gateway: NodeService;
  worker: NodeService;
  anchorWorker: NodeService;
  /** The main worker's Temporal SDK metrics (sticky cache size, slots). */
  workerSdkMetricsUrl: string;
  gatewayMetricsUrl: string;
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** A worker that polls only the `bench-crash` agent (and the orchestrator queue). */
  startCrashWorker(): Promise<NodeService>;
  /** Replaces the main worker with a fresh process (graceful stop, then start). */
  restartWorker(): Promise<NodeService>;
  /** The processes this run started, for CPU accounting. */
  processes(): Array<{ name: string; pid: number }>;
  stop(): Promise<void>;
}

/**
 * Starts something on a free port, again on another one if the port was taken between the
 * check and the listen (other processes on a busy machine pick ports too).
 */
async function onFreePort<T>(start: (port: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await start(await getPort());
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url);
  await response.body?.cancel();
  return response.ok;
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const { progress } = options;
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => console.error('bench cleanup failed:', error));
    }
  };
  try {
    const cli = await provisionTemporalCli({ log: (line) => progress.say('setup', line) });
    const temporal = await startDevServer({
      cli,
      port: await getPort(),
      uiPort: null,
      dbFilename: null,
    });
    cleanups.push(() => temporal.stop());
    progress.say('setup', `Temporal dev server on ${temporal.address} (in memory)`);
    const connection = await Connection.connect({ address: temporal.address });
    cleanups.push(() => connection.close());
    const client = new Client({ connection, namespace: temporal.namespace });

    const dataDir = await mkdtemp(join(tmpdir(), 'io-bench-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const redisPrefix = uniqueName('iobench');
    cleanups.push(async () => {
      const redis = await connectTestRedis();
      try {
        await dropRedisPrefix(redis, redisPrefix);
      } finally {
        redis.disconnect();
      }
    });
    const sampleRepository = await ensureSampleRepository(join(dataDir, 'repos', 'sample'));
    const agentsFile = join(dataDir, 'agents.json');
    await writeFile(agentsFile, JSON.stringify(BENCH_AGENT_LIST));
    const base: NodeJS.ProcessEnv = {
      ...process.env,
      ...serviceEnvironment({
        dataDir,
        databaseUrl: database.url,
        redisUrl: TEST_REDIS_URL,
        redisKeyPrefix: redisPrefix,
        agentsFile,
        temporalAddress: temporal.address,
        // Each process gets its own below.
        port: 0,
        // Each worker gets its own below.
        workerMetricsPort: 0,
        auth: false,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs,
        logLevel: 'warn',
      }),
      TEMPORAL_NAMESPACE: temporal.namespace,
      TEMPORAL_WEB_URL: '',
      SAMPLE_REPOSITORY: sampleRepository,
      // The limiter still runs on every POST (its cost is part of the figures) but never refuses
      // the bench's thousands of sessions from one client.
      RATE_LIMIT_PER_MINUTE: '10000000',
      RATE_LIMIT_BURST: '1000000',
    };
    // Migrate and seed the agent registry once, before the processes that share it start at once.
    const storage = await openStorage(readStorageSettings(base), pino({ level: 'silent' }));
    await storage.close();

    // One directory per process: Node writes a profile per thread (tsx's loader has its own).
    const profile = (name: string) =>
      options.cpuProfileDir
        ? ['--cpu-prof', '--cpu-prof-dir', join(options.cpuProfileDir, name)]
        : [];
    const services: NodeService[] = [];
    const started = (service: NodeService) => {
      services.push(service);
      // Graceful stop, so CPU profiles get written; SIGKILL after the grace time.
      cleanups.push(() => service.stop());
      return service;
    };

    const startWorker = (name: string, agents: string[], nodeArgs: string[] = []) =>
      onFreePort(async (metricsPort) => {
        const sdkMetricsPort = await getPort();
        const service = await startNodeService({
          name,
          entry: join(ROOT, 'worker/src/main.ts'),
          cwd: ROOT,
          nodeArgs,
          env: {
            ...base,
            WORKER_AGENTS: agents.join(','),
            WORKER_METRICS_PORT: String(metricsPort),
            WORKER_METRICS_HOST: '127.0.0.1',
            TEMPORAL_SDK_METRICS_ADDRESS: `127.0.0.1:${sdkMetricsPort}`,
          },
          readyProbe: () => httpOk(`http://127.0.0.1:${metricsPort}/readyz`),
          readyTimeoutMs: READY_TIMEOUT_MS,
        });
        return {
          service: started(service),
          sdkMetricsUrl: `http://127.0.0.1:${sdkMetricsPort}/metrics`,
        };
      });

    progress.say('setup', 'starting gateway, worker and anchor worker (bundling workflows)…');
    const [{ gateway, gatewayUrl }, worker, anchorWorker] = await Promise.all([
      onFreePort(async (port) => {
        const url = `http://127.0.0.1:${port}`;
        const service = await startNodeService({
          name: 'gateway',
          entry: join(ROOT, 'gateway/src/main.ts'),
          cwd: ROOT,
          nodeArgs: profile('gateway'),
          env: { ...base, PORT: String(port) },
          readyProbe: () => httpOk(`${url}/readyz`),
          readyTimeoutMs: READY_TIMEOUT_MS,
        });
        return { gateway: started(service), gatewayUrl: url };
      }),
      startWorker('worker', WORKER_AGENTS, profile('worker')),
      startNodeService({
        name: 'anchor-worker',
        entry: join(ROOT, 'bench/anchor/worker-main.ts'),
        cwd: ROOT,
        env: { ...base },
        readyLine: /anchor worker polling/,
        readyTimeoutMs: READY_TIMEOUT_MS,
      }).then(started),
    ]);
    progress.say(
      'setup',
      `gateway pid ${gateway.pid} on ${gatewayUrl}, worker pid ${worker.service.pid}, anchor worker pid ${anchorWorker.pid}`,
    );

    let crashWorkers = 0;
    let workerGeneration = 1;
    let mainWorker = worker;
    return {
      temporal,
      client,
      gatewayUrl,
      wsUrl: `${gatewayUrl.replace(/^http/, 'ws')}/ws`,
      sampleRepository,
      redisUrl: TEST_REDIS_URL,
      redisPrefix,
      gateway,
      get worker() {
        return mainWorker.service;
      },
      anchorWorker,
      get workerSdkMetricsUrl() {
        return mainWorker.sdkMetricsUrl;
      },
      gatewayMetricsUrl: `${gatewayUrl}/metrics`,
      api: (path, init = {}) => {
        const headers = new Headers(init.headers);
        let body = init.body;
        if (init.json !== undefined) {
          headers.set('content-type', 'application/json');
          body = JSON.stringify(init.json);
        }
        return fetch(`${gatewayUrl}${path}`, { ...init, headers, body: body ?? null });
      },
      startCrashWorker: async () => {
        crashWorkers += 1;
        return (await startWorker(`crash-worker-${crashWorkers}`, CRASH_WORKER_AGENTS)).service;
      },
      restartWorker: async () => {
        await mainWorker.service.stop();
        workerGeneration += 1;
        const name = `worker-${workerGeneration}`;
        mainWorker = await startWorker(name, WORKER_AGENTS, profile(name));
        return mainWorker.service;
      },
      processes: () =>
        [
          { name: 'temporal', pid: temporal.pid ?? 0 },
          ...services
            .filter((service) => !service.exited())
            .map(({ name, pid }) => ({ name, pid })),
        ].filter(({ pid }) => pid > 0),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

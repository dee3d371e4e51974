/**
 * The whole system for a test file, on real services: a Temporal dev server (the project's own
 * startDevServer on the provisioned CLI), a fresh Postgres database, a Redis key prefix, a worker
 * (in this process, or as a child process that a test may kill -9) and the gateway over HTTP.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';
import type { ResultPromise } from 'execa';
import { pino, type Logger } from 'pino';
import { inject } from 'vitest';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { startDevServer, type DevServer } from '@orchestrator/temporal-config';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import { readStorageSettings, type StorageSettings } from '@orchestrator/activities/settings';
import { openStorage, type Storage } from '@orchestrator/activities/storage';
import {
  createMetrics,
  readGatewayConfig,
  startGatewayService,
  type GatewayService,
} from '@orchestrator/gateway';
import {
  bundleWorkflows,
  readAgentPoolSettings,
  startWorkerService,
  type WorkerService,
} from '@orchestrator/worker';
import { ensureSampleRepository } from '../../scripts/sample-repository.js';
import { serviceEnvironment } from '../../scripts/service-environment.js';
import { startNodeService } from '../../scripts/node-service.js';
import { createTestDatabase, dropRedisPrefix, TEST_REDIS_URL, uniqueName } from './services.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface StackOptions {
  agents: AgentConfig[];
  /** Require API tokens on /api and /ws. */
  auth?: boolean;
  /** 'in-process' (default), 'process' (a child worker the test can kill), or 'none'. */
  worker?: 'in-process' | 'process' | 'none';
  heartbeatTimeoutMs?: number;
  /** Serve the built console from ui/build. */
  serveConsole?: boolean;
  /** Extra environment for the gateway and workers (e.g. RATE_LIMIT_PER_MINUTE). */
  env?: NodeJS.ProcessEnv;
  /** Logger of the gateway, storage and in-process worker (default: silent). */
  logger?: Logger;
}

export interface WorkerProcess {
  child: ResultPromise;
  pid: number;
}

export interface Stack {
  baseUrl: string;
  wsUrl: string;
  token: string | null;
  sampleRepository: string;
  settings: StorageSettings;
  storage: Storage;
  temporal: DevServer;
  gateway: GatewayService;
  env: NodeJS.ProcessEnv;
  /** fetch against the gateway, with the token when auth is on. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  startWorkerProcess(): Promise<WorkerProcess>;
  stop(): Promise<void>;
}

const quietLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

export function sharedWorkflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows();
  return bundle;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => console.error('cleanup failed:', error));
    }
  };
  try {
    const temporal = await startDevServer({
      cli: inject('temporalCli'),
      port: await getPort(),
      uiPort: null,
      dbFilename: null,
    });
    cleanups.push(() => temporal.stop());

    const dataDir = await mkdtemp(join(tmpdir(), 'io-stack-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const redisPrefix = uniqueName('iotest');
    cleanups.push(() => dropRedisPrefix(redisPrefix));
    const agentsFile = join(dataDir, 'agents.json');
    await writeFile(agentsFile, JSON.stringify(options.agents));

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...serviceEnvironment({
        dataDir,
        databaseUrl: database.url,
        redisUrl: TEST_REDIS_URL,
        redisKeyPrefix: redisPrefix,
        agentsFile,
        temporalAddress: temporal.address,
        port: await getPort(),
        workerMetricsPort: await getPort(),
        auth: options.auth ?? false,
        ...(options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
        serveConsole: options.serveConsole ?? false,
        logLevel: process.env.TEST_LOG_LEVEL ?? 'warn',
      }),
      ...options.env,
    };
    const settings = readStorageSettings(env);
    const logger = options.logger ?? quietLogger;
    const storage = await openStorage(settings, logger);
    cleanups.push(() => storage.close());
    const sampleRepository = await ensureSampleRepository(join(dataDir, 'repos', 'sample'));
    const token = options.auth ? (await storage.tokens.create('test', 'admin')).token : null;

    const metrics = createMetrics();
    const workerMode = options.worker ?? 'in-process';
    let refreshAgents: (() => void) | undefined;
    if (workerMode === 'in-process') {
      const worker: WorkerService = await startWorkerService({
        metricsRegistry: metrics.registry,
        temporalAddress: temporal.address,
        namespace: 'default',
        storage,
        settings,
        logger,
        workflowBundle: await sharedWorkflowBundle(),
        ...readAgentPoolSettings(env),
      });
      cleanups.push(() => worker.stop());
      refreshAgents = () => void worker.refreshAgents();
    }

    const gateway = await startGatewayService({
      config: readGatewayConfig(env),
      storage,
      settings,
      logger,
      sampleRepository,
      metrics,
      ...(refreshAgents ? { onAgentsChanged: refreshAgents } : {}),
    });
    cleanups.push(() => gateway.stop());

    const workerProcesses: WorkerProcess[] = [];
    cleanups.push(async () => {
      for (const { child } of workerProcesses) {
        if (child.exitCode === null) child.kill('SIGKILL');
        await child;
      }
    });

    return {
      baseUrl: gateway.url,
      wsUrl: `${gateway.url.replace(/^http/, 'ws')}/ws`,
      token,
      sampleRepository,
      settings,
      storage,
      temporal,
      gateway,
      env,
      api: (path, init = {}) => {
        const headers = new Headers(init.headers);
        if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
        let body = init.body;
        if (init.json !== undefined) {
          headers.set('content-type', 'application/json');
          body = JSON.stringify(init.json);
        }
        return fetch(`${gateway.url}${path}`, { ...init, headers, body: body ?? null });
      },
      startWorkerProcess: async () => {
        const { child, pid } = await startNodeService({
          name: 'worker',
          entry: join(ROOT, 'worker/src/main.ts'),
          cwd: ROOT,
          // info: the readiness line is logged at that level.
          env: { ...env, LOG_LEVEL: 'info' },
          readyLine: /worker polling/,
        });
        workerProcesses.push({ child, pid });
        return { child, pid };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Polls until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`,
  );
}

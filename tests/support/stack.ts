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
import { execa, type ResultPromise } from 'execa';
import { pino } from 'pino';
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
import { bundleWorkflows, startWorkerService, type WorkerService } from '@orchestrator/worker';
import { ensureSampleRepository } from '../../scripts/sample-repository.js';
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
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      AGENTS_FILE: agentsFile,
      ALLOWED_REPO_ROOTS: join(dataDir, 'repos'),
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_WEB_URL: 'http://127.0.0.1:8233',
      HOST: '127.0.0.1',
      PORT: String(await getPort()),
      AUTH_REQUIRED: options.auth ? 'true' : 'false',
      WORKER_METRICS_PORT: String(await getPort()),
      ...(options.heartbeatTimeoutMs
        ? { AGENT_HEARTBEAT_TIMEOUT_MS: String(options.heartbeatTimeoutMs) }
        : {}),
      ...(options.serveConsole ? {} : { UI_DIR: join(dataDir, 'no-console') }),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    };
    const settings = readStorageSettings(env);
    const storage = await openStorage(settings, quietLogger);
    cleanups.push(() => storage.close());
    const sampleRepository = await ensureSampleRepository(join(dataDir, 'repos', 'sample'));
    const token = options.auth ? (await storage.tokens.create('test')).token : null;

    const metrics = createMetrics();
    const workerMode = options.worker ?? 'in-process';
    if (workerMode === 'in-process') {
      const worker: WorkerService = await startWorkerService({
        metricsRegistry: metrics.registry,
        temporalAddress: temporal.address,
        namespace: 'default',
        storage,
        settings,
        logger: quietLogger,
        workflowBundle: await sharedWorkflowBundle(),
      });
      cleanups.push(() => worker.stop());
    }

    const gateway = await startGatewayService({
      config: readGatewayConfig(env),
      storage,
      settings,
      logger: quietLogger,
      sampleRepository,
      metrics,
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
        // node --import tsx, not the tsx CLI: the CLI runs the script in a grandchild that a
        // SIGKILL of the CLI would leave running.
        const child = execa(
          process.execPath,
          ['--import', 'tsx', join(ROOT, 'worker/src/main.ts')],
          {
            cwd: ROOT,
            // info: the readiness line below is logged at that level.
            env: { ...env, LOG_LEVEL: 'info' },
            stdin: 'ignore',
            stdout: 'pipe',
            stderr: 'pipe',
            reject: false,
          },
        );
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
        const pid = child.pid;
        if (!pid) throw new Error('worker process did not start');
        workerProcesses.push({ child, pid });
        // Ready once it logged that it polls (or failed).
        const deadline = Date.now() + 60_000;
        while (!output.includes('worker polling')) {
          if (child.exitCode !== null) throw new Error(`worker process exited:\n${output}`);
          if (Date.now() > deadline)
            throw new Error(`worker process not ready in 60 s:\n${output}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
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

/**
 * The system as Kubernetes runs it, owned by the chaos run so it can break it: a Temporal dev
 * server keeping state in a SQLite file (a restart resumes every workflow), its own
 * redis-server, a fresh Postgres database, and the gateway and the worker as separate Node
 * processes. Each disruption records when the process went down and when its replacement was
 * ready, so the checks can tell an error during an outage from one after it.
 */
import { appendFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';
import { startDevServer, type DevServer, type TemporalCli } from '@orchestrator/temporal-config';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import { createTestDatabase, uniqueName } from '@orchestrator/activities/testing/services';
import { startNodeService, type NodeService } from '../../scripts/node-service.js';
import { ensureSampleRepository } from '../../scripts/sample-repository.js';
import { serviceEnvironment } from '../../scripts/service-environment.js';
import type { ChaosTarget, DownWindow } from './checks.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ChaosClusterOptions {
  cli: TemporalCli;
  agents: AgentConfig[];
  heartbeatTimeoutMs: number;
  /** Logs, the SQLite file, the append-only file, workspaces. */
  runDir: string;
  say(line: string): void;
}

export interface ChaosCluster {
  gatewayUrl: string;
  wsUrl: string;
  sampleRepository: string;
  /** Every outage so far. */
  readonly downtime: DownWindow[];
  /** kill -9 of the process, then a new one, resolving once that one is ready. */
  killWorker(): Promise<void>;
  killGateway(): Promise<void>;
  /** Stop the dev server, start it on the same port and SQLite file. */
  restartTemporal(): Promise<void>;
  restartRedis(): Promise<void>;
  /** Pids of the processes the run started (for messages). */
  pids(): Record<string, number>;
  stop(): Promise<void>;
}

export async function startChaosCluster(options: ChaosClusterOptions): Promise<ChaosCluster> {
  const { runDir, say } = options;
  const cleanups: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((error: unknown) => console.error('chaos cleanup failed:', error));
    }
  };
  try {
    await mkdir(runDir, { recursive: true });
    const temporalOptions = {
      cli: options.cli,
      port: await getPort(),
      uiPort: null,
      dbFilename: join(runDir, 'temporal.sqlite'),
      logFile: join(runDir, 'temporal.log'),
    };
    let temporal: DevServer = await startDevServer(temporalOptions);
    cleanups.push(() => temporal.stop());
    say(`Temporal dev server on ${temporal.address} (state in ${temporalOptions.dbFilename})`);

    const redis: RedisServer = await startRedisServer({
      port: await getPort(),
      dir: join(runDir, 'redis'),
    });
    cleanups.push(() => redis.stop());
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    say(
      `redis-server on ${redis.url}, Postgres database ${new URL(database.url).pathname.slice(1)}`,
    );

    const dataDir = join(runDir, 'data');
    const sampleRepository = await ensureSampleRepository(join(dataDir, 'repos', 'sample'));
    const agentsFile = join(runDir, 'agents.json');
    await writeFile(agentsFile, JSON.stringify(options.agents, null, 2));
    const port = await getPort();
    const workerMetricsPort = await getPort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...serviceEnvironment({
        dataDir,
        databaseUrl: database.url,
        redisUrl: redis.url,
        redisKeyPrefix: uniqueName('iochaos'),
        agentsFile,
        temporalAddress: temporal.address,
        port,
        workerMetricsPort,
        auth: false,
        heartbeatTimeoutMs: options.heartbeatTimeoutMs,
        logLevel: 'warn',
      }),
      WORKER_METRICS_HOST: '127.0.0.1',
      SAMPLE_REPOSITORY: sampleRepository,
    };
    const gatewayUrl = `http://127.0.0.1:${port}`;

    const generations: Record<'worker' | 'gateway', number> = { worker: 0, gateway: 0 };
    const start = async (target: 'worker' | 'gateway'): Promise<NodeService> => {
      generations[target] += 1;
      const logFile = join(runDir, `${target}-${generations[target]}.log`);
      const probe =
        target === 'gateway'
          ? `${gatewayUrl}/healthz`
          : `http://127.0.0.1:${workerMetricsPort}/readyz`;
      const service = await startNodeService({
        name: `${target} #${generations[target]}`,
        entry: join(ROOT, target, 'src/main.ts'),
        cwd: ROOT,
        env,
        readyProbe: async () => {
          const response = await fetch(probe);
          await response.body?.cancel();
          return response.ok;
        },
      });
      // What it printed while starting, then everything after, for a post-mortem.
      appendFileSync(logFile, service.output());
      const keep = (chunk: Buffer) => appendFileSync(logFile, chunk);
      service.child.stdout?.on('data', keep);
      service.child.stderr?.on('data', keep);
      return service;
    };
    let worker: NodeService | null = null;
    let gateway: NodeService | null = null;
    cleanups.push(async () => worker?.stop());
    cleanups.push(async () => gateway?.stop());
    [worker, gateway] = await Promise.all([start('worker'), start('gateway')]);
    say(`worker pid ${worker.pid}, gateway pid ${gateway.pid} on ${gatewayUrl}`);

    const downtime: DownWindow[] = [];
    const outage = async (target: ChaosTarget, disrupt: () => Promise<void>) => {
      const from = Date.now();
      await disrupt();
      downtime.push({ target, from, to: Date.now() });
    };

    return {
      gatewayUrl,
      wsUrl: `ws://127.0.0.1:${port}/ws`,
      sampleRepository,
      downtime,
      killWorker: () =>
        outage('worker', async () => {
          await worker?.kill();
          worker = await start('worker');
        }),
      killGateway: () =>
        outage('gateway', async () => {
          await gateway?.kill();
          gateway = await start('gateway');
        }),
      restartTemporal: () =>
        outage('temporal', async () => {
          await temporal.stop();
          temporal = await startDevServer(temporalOptions);
        }),
      restartRedis: () => outage('redis', () => redis.restart()),
      pids: () => ({
        worker: worker?.pid ?? 0,
        gateway: gateway?.pid ?? 0,
        temporal: temporal.pid ?? 0,
        redis: redis.pid(),
      }),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

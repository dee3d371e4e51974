/**
 * The worker as a service: connect to Temporal, run the worker of the orchestration queue and
 * the agent pool (the queues of the registered agents this machine can run), until stopped. main.ts (a worker process) and the
 * embedded launcher (worker and gateway in one process) both use this.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createActivities } from '@orchestrator/activities';
import { describeAgents } from '@orchestrator/activities/agents/agent-overview';
import { agentQueueLoad } from '@orchestrator/activities/agents/agent-queues';
import type { Storage } from '@orchestrator/activities/storage';
import type { StorageSettings } from '@orchestrator/activities/settings';
import { createWorkerMetrics } from './metrics.js';
import type { WorkerTracing } from './tracing.js';
import type { WorkerReadiness } from './metrics-server.js';
import { startAgentPool } from './agent-pool.js';
import {
  readJanitorSettings,
  startWorkspaceJanitor,
  type JanitorSettings,
  type SweepResult,
} from './workspace-janitor.js';
import { readWorkflowCacheSettings, type WorkflowCacheSettings } from './workflow-cache.js';
import {
  commonWorkerOptions,
  createOrchestratorWorker,
  type CreateWorkersOptions,
} from './workers.js';

export interface WorkerServiceOptions {
  temporalAddress: string;
  namespace: string;
  storage: Storage;
  settings: StorageSettings;
  logger: Logger;
  workflowBundle?: WorkflowBundleWithSourceMap;
  identity?: string;
  /** Where the step metrics go (the gateway's registry in embedded mode); a new one otherwise. */
  metricsRegistry?: Registry;
  /** Only these agents' queues (WORKER_AGENTS); every registered agent it can run when unset. */
  onlyAgents?: string[] | null;
  /** How often the registry is re-read (AGENT_REFRESH_MS, default 10 s). */
  agentRefreshMs?: number;
  /** Where agents' binaries and keys are looked up (default process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * Tracing (startWorkerTracing), or null when off. A given workflowBundle must then have been
   * built with its workflowInterceptorModules.
   */
  tracing?: WorkerTracing | null;
  /** Removal of closed sessions' workspaces; from WORKSPACE_RETENTION_HOURS when absent. */
  janitor?: JanitorSettings;
  /** The sticky cache's size; from WORKER_MAX_CACHED_WORKFLOWS when absent. */
  workflowCache?: WorkflowCacheSettings;
}

export interface WorkerService {
  metricsRegistry: Registry;
  /** Ready when every worker (one per task queue) is running. */
  readiness(): WorkerReadiness;
  /** Resolves when every worker stopped; rejects if one failed. */
  done: Promise<void>;
  /** Re-reads the agent registry now (after a change through the API in embedded mode). */
  refreshAgents(): Promise<void>;
  /** Removes the workspaces of sessions closed before the retention, now. */
  sweepWorkspaces(): Promise<SweepResult>;
  /** Graceful shutdown: stop polling, let running steps finish within the grace time. */
  stop(): Promise<void>;
}

export async function startWorkerService(options: WorkerServiceOptions): Promise<WorkerService> {
  const { storage, settings, logger } = options;
  const metricsRegistry = options.metricsRegistry ?? new Registry();
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  const workerId = `${options.identity ?? `worker@${hostname()}:${process.pid}`}/${randomBytes(3).toString('hex')}`;
  const activities = createActivities({
    bus: storage.bus,
    archive: storage.archive,
    agents: storage.agents,
    ledger: storage.ledger,
    workerId,
    overview: () =>
      describeAgents({
        store: storage.agents,
        ledger: storage.ledger,
        workers: storage.workerReports,
        queues: agentQueueLoad(connection, options.namespace),
      }),
    workspacesDir: settings.workspacesDir,
    allowedRoots: settings.allowedRoots,
    logger,
  });
  const workerOptions: CreateWorkersOptions = {
    connection,
    namespace: options.namespace,
    activities,
    metrics: createWorkerMetrics(metricsRegistry),
    tracing: options.tracing ?? null,
    workflowCache: options.workflowCache ?? readWorkflowCacheSettings(options.env ?? process.env),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
  };
  const orchestrator = await createOrchestratorWorker(workerOptions);
  const agents = await startAgentPool({
    workerOptions: commonWorkerOptions(workerOptions),
    runAgentStep: activities.runAgentStep,
    registry: storage.agents,
    reports: storage.workerReports,
    workerId,
    only: options.onlyAgents ?? null,
    env: options.env ?? process.env,
    ...(options.agentRefreshMs ? { refreshMs: options.agentRefreshMs } : {}),
    logger,
  });
  const states = () => ({
    [orchestrator.options.taskQueue]: orchestrator.getState(),
    ...agents.states(),
  });
  logger.info(
    { taskQueues: Object.keys(states()), namespace: options.namespace, workerId },
    'worker polling',
  );
  const clientConnection = await Connection.connect({ address: options.temporalAddress });
  const janitor = startWorkspaceJanitor({
    client: new Client({ connection: clientConnection, namespace: options.namespace }),
    workspacesDir: settings.workspacesDir,
    settings: options.janitor ?? readJanitorSettings(options.env ?? process.env),
    logger,
  });
  const done = orchestrator
    .run()
    .finally(() => janitor.stop())
    .finally(() => agents.stop())
    .finally(() => clientConnection.close())
    .finally(() => connection.close());
  return {
    metricsRegistry,
    readiness: () => {
      const workers = states();
      return {
        ready: Object.values(workers).every((state) => state === 'RUNNING'),
        workers,
      };
    },
    done,
    refreshAgents: () => agents.refresh(),
    sweepWorkspaces: () => janitor.sweep(),
    stop: async () => {
      if (orchestrator.getState() === 'RUNNING') orchestrator.shutdown();
      await done.catch((error: unknown) =>
        logger.error({ err: error }, 'worker stopped with an error'),
      );
    },
  };
}

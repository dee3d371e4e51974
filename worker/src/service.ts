/**
 * The worker as a service: connect to Temporal, create the workers for the orchestration queue
 * and every configured agent queue, run until stopped. main.ts (a worker process) and the
 * embedded launcher (worker and gateway in one process) both use this.
 */
import { NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { createActivities } from '@orchestrator/activities';
import type { Storage } from '@orchestrator/activities/storage';
import type { StorageSettings } from '@orchestrator/activities/settings';
import { createWorkerMetrics } from './metrics.js';
import type { WorkerReadiness } from './metrics-server.js';
import { createWorkers, runWorkers } from './workers.js';

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
}

export interface WorkerService {
  metricsRegistry: Registry;
  /** Ready when every worker (one per task queue) is running. */
  readiness(): WorkerReadiness;
  /** Resolves when every worker stopped; rejects if one failed. */
  done: Promise<void>;
  /** Graceful shutdown: stop polling, let running steps finish within the grace time. */
  stop(): Promise<void>;
}

export async function startWorkerService(options: WorkerServiceOptions): Promise<WorkerService> {
  const { storage, settings, logger } = options;
  const metricsRegistry = options.metricsRegistry ?? new Registry();
  const connection = await NativeConnection.connect({ address: options.temporalAddress });
  const activities = createActivities({
    bus: storage.bus,
    archive: storage.archive,
    agents: storage.agents,
    workspacesDir: settings.workspacesDir,
    allowedRoots: settings.allowedRoots,
    logger,
  });
  const workers = await createWorkers({
    connection,
    namespace: options.namespace,
    activities,
    agents: storage.agents.list(),
    metrics: createWorkerMetrics(metricsRegistry),
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : {}),
    ...(options.identity ? { identity: options.identity } : {}),
  });
  logger.info(
    { taskQueues: workers.map((w) => w.options.taskQueue), namespace: options.namespace },
    'worker polling',
  );
  const done = runWorkers(workers).finally(() => connection.close());
  return {
    metricsRegistry,
    readiness: () => {
      const states = Object.fromEntries(
        workers.map((worker) => [worker.options.taskQueue, worker.getState()]),
      );
      return {
        ready: Object.values(states).every((state) => state === 'RUNNING'),
        workers: states,
      };
    },
    done,
    stop: async () => {
      for (const worker of workers) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }
      await done.catch((error: unknown) =>
        logger.error({ err: error }, 'worker stopped with an error'),
      );
    },
  };
}

/**
 * The workflow tier of the tests (DESIGN.md): a real Temporal dev server
 * (TestWorkflowEnvironment.createLocal on the provisioned CLI), a real worker with the real
 * activities on PGlite and the in-process log bus, the given agents, and the sample repository.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import { dynamicConfigArgs } from '@orchestrator/temporal-config';
import type { AgentConfig } from '@orchestrator/activities/agents/types';
import { CUSTOM_SEARCH_ATTRIBUTES } from '@orchestrator/workflows/client';
import { readStorageSettings } from '@orchestrator/activities/settings';
import { openStorage, type Storage } from '@orchestrator/activities/storage';
import {
  startWorkerService,
  type WorkerService,
  type WorkerServiceOptions,
} from '@orchestrator/worker';
import { ensureSampleRepository } from '../../scripts/sample-repository.js';
import { sharedWorkflowBundle } from './stack.js';

export interface WorkflowEnvironment {
  env: TestWorkflowEnvironment;
  storage: Storage;
  worker: WorkerService;
  dataDir: string;
  repository: string;
  stop(): Promise<void>;
}

export async function startWorkflowEnvironment(
  agents: AgentConfig[],
  options: { dirPrefix: string; janitor?: WorkerServiceOptions['janitor'] },
): Promise<WorkflowEnvironment> {
  const cli = inject('temporalCli');
  if (cli.type !== 'existing-path') {
    throw new Error('workflow tests need a provisioned Temporal CLI (npm run temporal:provision)');
  }
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli.path },
      searchAttributes: [...CUSTOM_SEARCH_ATTRIBUTES],
      extraArgs: dynamicConfigArgs(),
    },
  });
  const dataDir = await mkdtemp(join(tmpdir(), options.dirPrefix));
  const agentsFile = join(dataDir, 'agents.json');
  await writeFile(agentsFile, JSON.stringify(agents));
  const settings = readStorageSettings({ DATA_DIR: dataDir, AGENTS_FILE: agentsFile });
  const logger = pino({ level: 'silent' });
  const storage = await openStorage(settings, logger);
  const repository = await ensureSampleRepository(join(dataDir, 'repos', 'sample'));
  const worker = await startWorkerService({
    temporalAddress: env.address,
    namespace: env.namespace ?? 'default',
    storage,
    settings,
    logger,
    workflowBundle: await sharedWorkflowBundle(),
    ...(options.janitor ? { janitor: options.janitor } : {}),
  });
  return {
    env,
    storage,
    worker,
    dataDir,
    repository,
    async stop() {
      await worker.stop();
      await storage.close();
      await env.teardown();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

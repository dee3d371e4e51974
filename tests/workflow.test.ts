/**
 * The session workflow on a real Temporal dev server (TestWorkflowEnvironment.createLocal on the
 * provisioned CLI) with a real worker and the real activities (PGlite, in-process log bus).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { pino } from 'pino';
import { dynamicConfigArgs } from '@orchestrator/temporal-config';
import {
  CUSTOM_SEARCH_ATTRIBUTES,
  ORCHESTRATOR_TASK_QUEUE,
  SessionStatusKey,
  sessionWorkflowId,
  stateQuery,
  type SessionInput,
} from '@orchestrator/workflows/client';
import { readStorageSettings } from '@orchestrator/activities/settings';
import { openStorage, type Storage } from '@orchestrator/activities/storage';
import { startWorkerService, type WorkerService } from '@orchestrator/worker';
import { ensureSampleRepository } from '../scripts/sample-repository.js';
import { isAlive, testAgents } from './support/agents.js';
import { eventually, sharedWorkflowBundle } from './support/stack.js';

let env: TestWorkflowEnvironment;
let storage: Storage;
let worker: WorkerService;
let dataDir: string;
let repository: string;
let counter = 0;

beforeAll(async () => {
  const cli = inject('temporalCli');
  if (cli.type !== 'existing-path')
    throw new Error('workflow tests need a provisioned Temporal CLI');
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli.path },
      searchAttributes: [...CUSTOM_SEARCH_ATTRIBUTES],
      extraArgs: dynamicConfigArgs(),
    },
  });
  dataDir = await mkdtemp(join(tmpdir(), 'io-wf-'));
  const agentsFile = join(dataDir, 'agents.json');
  await writeFile(agentsFile, JSON.stringify(testAgents));
  const settings = readStorageSettings({ DATA_DIR: dataDir, AGENTS_FILE: agentsFile });
  const logger = pino({ level: 'silent' });
  storage = await openStorage(settings, logger);
  repository = await ensureSampleRepository(join(dataDir, 'repos', 'sample'));
  worker = await startWorkerService({
    temporalAddress: env.address,
    namespace: env.namespace ?? 'default',
    storage,
    settings,
    logger,
    workflowBundle: await sharedWorkflowBundle(),
  });
});

afterAll(async () => {
  await worker?.stop();
  await storage?.close();
  await env?.teardown();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function startSession(agent: string): Promise<WorkflowHandle> {
  const sessionId = `wf${Date.now().toString(36)}${counter++}`;
  const input: SessionInput = {
    sessionId,
    title: `test ${agent}`,
    goal: `goal for ${agent}`,
    repository,
    agent,
    options: { heartbeatTimeoutMs: 5000 },
  };
  return env.client.workflow.start('session', {
    taskQueue: ORCHESTRATOR_TASK_QUEUE,
    workflowId: sessionWorkflowId(sessionId),
    args: [input],
    typedSearchAttributes: [{ key: SessionStatusKey, value: 'pending' }],
  });
}

describe('session workflow', () => {
  it('runs the agent, commits the workspace and records a checkpoint', async () => {
    const handle = await startSession('echo');
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.checkpoints).toHaveLength(1);
    const [checkpoint] = result.checkpoints;
    expect(checkpoint?.exitCode).toBe(0);
    expect(checkpoint?.changed).toBe(true);
    expect(checkpoint?.commitSha).toMatch(/^[0-9a-f]{40}$/);
    expect(checkpoint?.summary).toContain('all done');
    expect(await readFile(join(result.workspace ?? '', 'goal.txt'), 'utf8')).toBe(
      'goal for echo\n',
    );

    const description = await handle.describe();
    expect(description.status.name).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get(SessionStatusKey)).toBe('completed');

    // Logs went to the bus and the archive, not into history.
    const sessionId = handle.workflowId.replace('session-', '');
    const lines = await storage.archive.list(sessionId, { limit: 100 });
    const stdout = lines.filter((l) => l.stream === 'stdout').map((l) => l.line);
    expect(stdout.slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${i + 1}`));
    expect(lines.some((l) => l.stream === 'stderr' && l.line === 'warning on stderr')).toBe(true);
    const history = await handle.fetchHistory();
    expect(JSON.stringify(history)).not.toContain('warning on stderr');
  });

  it('fails the session on a non-zero exit without retrying', async () => {
    const handle = await startSession('fail');
    const error = await handle.result().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const state = await handle.query(stateQuery);
    expect(state.status).toBe('failed');
    expect(state.error).toMatch(/exit(ed)? (with )?(code |status )?3/i);
    const description = await handle.describe();
    expect(description.status.name).toBe('FAILED');
    expect(description.typedSearchAttributes.get(SessionStatusKey)).toBe('failed');
    // Non-retryable: the agent ran once.
    const history = await handle.fetchHistory();
    const started = history.events?.filter((e) => e.activityTaskStartedEventAttributes) ?? [];
    const attempts = started.map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 1);
    expect(Math.max(...attempts)).toBe(1);
  });

  it('cancellation kills the agent process group and ends cancelled', async () => {
    const handle = await startSession('slow');
    const state = await eventually(async () => {
      const s = await handle.query(stateQuery);
      return s.workspace ? s : undefined;
    });
    const workspace = state.workspace ?? '';
    const pids = await eventually(async () => {
      const agent = Number((await readFile(join(workspace, 'agent.pid'), 'utf8')).trim());
      const child = Number((await readFile(join(workspace, 'child.pid'), 'utf8')).trim());
      return agent && child ? { agent, child } : undefined;
    });
    expect(isAlive(pids.agent)).toBe(true);
    expect(isAlive(pids.child)).toBe(true);

    await handle.cancel();
    const error = await handle.result().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const description = await handle.describe();
    expect(description.status.name).toBe('CANCELLED');
    expect(description.typedSearchAttributes.get(SessionStatusKey)).toBe('cancelled');
    expect(await handle.query(stateQuery)).toMatchObject({ status: 'cancelled' });
    expect(isAlive(pids.agent)).toBe(false);
    expect(isAlive(pids.child)).toBe(false);
  });
});

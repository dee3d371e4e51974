/**
 * What the runAgentStep tests share: a fresh Postgres database (the log archive), an in-process
 * bus, a git repository to prepare workspaces from, the activity itself, and Temporal's
 * MockActivityEnvironment with heartbeats collected.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { pino } from 'pino';
import type { AgentRegistry } from '../agents/registry.js';
import type { StepHeartbeat } from '../agents/orphans.js';
import { createRunAgentStep } from '../agents/run-agent-step.js';
import type { AgentStepInput, AgentStepResult } from '../contracts.js';
import { openDatabase } from '../db/connect.js';
import { createLogArchive, type LogArchive } from '../db/log-archive.js';
import { migrate } from '../db/migrations/migrate.js';
import { createMemoryLogBus } from '../logs/memory-bus.js';
import type { LogBus } from '../logs/types.js';
import { prepareWorkspace } from '../workspace/prepare.js';
import { createRepository, makeTempDir } from './git-fixtures.js';
import { createTestDatabase } from './services.js';

export interface StepHarnessOptions {
  /** Prefix of temp dirs and session ids, so a leftover says which test made it. */
  name: string;
  agents: AgentRegistry;
  /** The worker environment the agents see (default: this process's). */
  env?: NodeJS.ProcessEnv;
  killGraceMs?: number;
}

export interface StepHarness {
  root: string;
  repository: string;
  workspacesDir: string;
  archive: LogArchive;
  bus: LogBus;
  runAgentStep: ReturnType<typeof createRunAgentStep>;
  /** A new session's workspace, prepared from the repository, and the step input for it. */
  stepInput(agent: string, goal?: string): Promise<AgentStepInput>;
  environment(info?: Partial<ConstructorParameters<typeof MockActivityEnvironment>[0]>): {
    env: MockActivityEnvironment;
    heartbeats: StepHeartbeat[];
  };
  /** Runs the activity in a mock environment (typed: MockActivityEnvironment.run infers unknown). */
  step(env: MockActivityEnvironment, input: AgentStepInput): Promise<AgentStepResult>;
  close(): Promise<void>;
}

const silentTemporalLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

export async function createStepHarness(options: StepHarnessOptions): Promise<StepHarness> {
  const testDb = await createTestDatabase();
  const database = await openDatabase({ databaseUrl: testDb.url });
  await migrate(database.db);
  const archive = createLogArchive(database.db);
  const bus = createMemoryLogBus();
  const root = await makeTempDir(`io-${options.name}`);
  const repository = join(root, 'repos', 'app');
  const workspacesDir = join(root, 'workspaces');
  await createRepository(repository, { 'README.md': '# app\n' });
  const runAgentStep = createRunAgentStep({
    bus,
    archive,
    agents: options.agents,
    ...(options.env ? { env: options.env } : {}),
    logger: pino({ level: 'silent' }),
    heartbeatIntervalMs: 100,
    killGraceMs: options.killGraceMs ?? 500,
  });
  let counter = 0;
  return {
    root,
    repository,
    workspacesDir,
    archive,
    bus,
    runAgentStep,
    stepInput: async (agent, goal = 'Add a greeting\nwith details below') => {
      const sessionId = `${options.name}${Date.now().toString(36)}${counter++}`;
      const workspace = await prepareWorkspace(
        { sessionId, repository },
        { workspacesDir, allowedRoots: [join(root, 'repos')] },
      );
      return { sessionId, agent, goal, workspace: workspace.path, step: 1 };
    },
    environment: (info = {}) => {
      const env = new MockActivityEnvironment(info, { logger: silentTemporalLogger });
      const heartbeats: StepHeartbeat[] = [];
      env.on('heartbeat', (details: StepHeartbeat) => heartbeats.push(details));
      return { env, heartbeats };
    },
    step: (env, input) => env.run(runAgentStep, input) as Promise<AgentStepResult>,
    close: async () => {
      await bus.close();
      await database.close();
      await testDb.drop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentRegistry } from './agents/registry.js';
import { defaultAgents } from './agents/defaults.js';
import { createActivities } from './create-activities.js';
import type { PublishStatusInput } from './contracts.js';
import { openDatabase, type OpenedDatabase } from './db/connect.js';
import { createLogArchive } from './db/log-archive.js';
import { migrate } from './db/migrations/migrate.js';
import { createMemoryLogBus } from './logs/memory-bus.js';
import { createRepository, makeTempDir } from './testing/git-fixtures.js';

let root: string;
let database: OpenedDatabase;

beforeAll(async () => {
  root = await makeTempDir('io-activities');
  database = await openDatabase();
  await migrate(database.db);
});
afterAll(async () => {
  await database?.close();
  await rm(root, { recursive: true, force: true });
});

describe('createActivities', () => {
  it('wires prepareWorkspace, publishStatus and runAgentStep over one set of dependencies', async () => {
    const bus = createMemoryLogBus();
    const activities = createActivities({
      bus,
      archive: createLogArchive(database.db),
      agents: createAgentRegistry(defaultAgents()),
      workspacesDir: join(root, 'workspaces'),
      allowedRoots: [join(root, 'repos')],
    });
    const head = await createRepository(join(root, 'repos', 'app'));
    const env = new MockActivityEnvironment();

    const workspace = await env.run(activities.prepareWorkspace, {
      sessionId: 'wired',
      repository: join(root, 'repos', 'app'),
    });
    expect(workspace).toEqual({
      path: join(root, 'workspaces', 'wired'),
      branch: 'session/wired',
      baseSha: head,
    });

    const running: PublishStatusInput = { sessionId: 'wired', status: 'running', detail: 'step 1' };
    const completed: PublishStatusInput = { sessionId: 'wired', status: 'completed' };
    await env.run(activities.publishStatus, running);
    await env.run(activities.publishStatus, completed);
    const entries = await bus.read('wired');
    expect(entries).toMatchObject([
      { kind: 'status', status: 'running', detail: 'step 1', sessionId: 'wired' },
      { kind: 'status', status: 'completed' },
    ]);
    expect(entries[1]).not.toHaveProperty('detail');
    expect(typeof activities.runAgentStep).toBe('function');
  });
});

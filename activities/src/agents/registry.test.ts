import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../db/connect.js';
import { migrate } from '../db/migrations/migrate.js';
import { createTestDatabase, type TestDatabase } from '../testing/services.js';
import { AgentRegistryError, createAgentStore, type AgentStore } from './agent-store.js';
import { defaultAgents } from './defaults.js';
import { createAgentRegistry } from './registry.js';
import type { AgentConfig, CommandAgentConfig } from './types.js';

describe('fixed agent registry', () => {
  it('finds agents by name and lists them in order', async () => {
    const registry = createAgentRegistry(defaultAgents());
    const command = async (name: string) =>
      ((await registry.get(name)) as CommandAgentConfig | undefined)?.command;
    expect((await registry.list()).map((agent) => agent.name)).toEqual(['demo', 'test']);
    expect(await command('test')).toEqual(['npm', 'test']);
    expect((await command('demo'))?.[1]).toMatch(/demo-agent\.mjs$/);
    expect(await registry.get('nope')).toBeUndefined();
  });

  it('rejects names that cannot be task queue suffixes, duplicates and empty commands', () => {
    const agent: AgentConfig = { name: 'ok', kind: 'command', command: ['true'] };
    expect(() => createAgentRegistry([{ ...agent, name: 'Bad Name' }])).toThrow(/name/);
    expect(() => createAgentRegistry([agent, agent])).toThrow(/duplicate agent "ok"/);
    expect(() => createAgentRegistry([{ ...agent, command: [] }])).toThrow(/command/);
  });
});

describe('agent store (Postgres)', () => {
  let testDb: TestDatabase;
  let database: OpenedDatabase;
  let store: AgentStore;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    database = await openDatabase({ databaseUrl: testDb.url });
    await migrate(database.db);
    store = createAgentStore(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  async function refusal(write: Promise<unknown>): Promise<AgentRegistryError> {
    const error = await write.then(
      () => null,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(AgentRegistryError);
    return error as AgentRegistryError;
  }

  it('seeds once, even after every agent is deleted', async () => {
    expect(await store.seed(defaultAgents(), 'defaults')).toBe(true);
    expect((await store.list()).map((agent) => agent.name)).toEqual(['demo', 'test']);
    expect(await store.remove('demo')).toBe(true);
    expect(await store.remove('test')).toBe(true);
    expect(await store.remove('test')).toBe(false);
    expect(await store.seed(defaultAgents(), 'defaults')).toBe(false);
    expect(await store.list()).toEqual([]);
  });

  it('creates, replaces and deletes entries, validated like AGENTS_FILE', async () => {
    const created = await store.create(
      { name: 'lint', kind: 'command', command: ['npm', 'run', 'lint'], capabilities: ['review'] },
      'body',
    );
    expect(created.config).toMatchObject({ name: 'lint', capabilities: ['review'] });
    expect(created.createdAt).toBeInstanceOf(Date);

    const taken = await refusal(
      store.create({ name: 'lint', kind: 'command', command: ['x'] }, 'body'),
    );
    expect(taken).toMatchObject({ status: 409, path: 'body.name' });

    const replaced = await store.replace(
      'lint',
      { kind: 'command', command: ['npx', 'eslint', '.'], maxConcurrency: 4 },
      'body',
    );
    expect(replaced.config).toEqual({
      name: 'lint',
      kind: 'command',
      command: ['npx', 'eslint', '.'],
      maxConcurrency: 4,
    });
    expect(replaced.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect((await store.get('lint')) as CommandAgentConfig).toMatchObject({ maxConcurrency: 4 });

    const renamed = await refusal(
      store.replace('lint', { name: 'other', kind: 'command', command: ['x'] }, 'body'),
    );
    expect(renamed).toMatchObject({ status: 400, path: 'body.name' });
    const missing = await refusal(
      store.replace('nope', { kind: 'command', command: ['x'] }, 'body'),
    );
    expect(missing.status).toBe(404);
    expect(await store.remove('lint')).toBe(true);
  });

  it('names the field at fault and never stores a secret given by value', async () => {
    const bad = await refusal(store.create({ name: 'x', kind: 'command', command: [] }, 'body'));
    expect(bad).toMatchObject({ status: 400, path: 'body.command' });
    const kind = await refusal(store.create({ name: 'x', kind: 'gpt' }, 'body'));
    expect(kind.path).toBe('body.kind');
    const secret = await refusal(
      store.create({ name: 'c', kind: 'claude-code', model: 'sonnet', apiKey: 'sk-ant-1' }, 'body'),
    );
    expect(secret).toMatchObject({ status: 400, path: 'body.apiKey' });
    const capability = await refusal(
      store.create(
        { name: 'c', kind: 'command', command: ['x'], capabilities: ['Code Review'] },
        'body',
      ),
    );
    expect(capability.path).toBe('body.capabilities');
    expect(await store.get('x')).toBeUndefined();
    expect(await store.get('c')).toBeUndefined();
  });
});

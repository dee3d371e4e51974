import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../db/connect.js';
import { migrate } from '../db/migrations/migrate.js';
import { createTestDatabase, type TestDatabase } from '../testing/services.js';
import { describeAgents } from './agent-overview.js';
import { createAgentStore, type AgentStore } from './agent-store.js';
import { createStepLedger, type LostAttemptUsage, type StepLedger } from './step-ledger.js';
import { createWorkerReports, type WorkerReports } from './worker-reports.js';

describe('agent overview: registry + ledger + worker reports', () => {
  let testDb: TestDatabase;
  let database: OpenedDatabase;
  let store: AgentStore;
  let ledger: StepLedger;
  let workers: WorkerReports;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    database = await openDatabase({ databaseUrl: testDb.url });
    await migrate(database.db);
    store = createAgentStore(database.db);
    ledger = createStepLedger(database.db);
    workers = createWorkerReports(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  let counter = 0;
  async function attempt(
    agent: string,
    workerId: string,
    attempt = 1,
    activityId?: string,
    lost?: LostAttemptUsage,
  ) {
    counter += 1;
    const session = activityId ? `retried-${activityId}` : `s${counter}`;
    return ledger.started(
      {
        sessionId: session,
        workflowId: `session-${session}`,
        runId: 'run',
        activityId: activityId ?? String(counter),
        attempt,
        agent,
        workerId,
      },
      lost,
    );
  }
  const usage = (input: number, output: number, costUsd: number | null) => ({
    inputTokens: input,
    outputTokens: output,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    costUsd,
  });

  it('measures tiers, counts running attempts on live workers, and says who can run what', async () => {
    await store.create({
      name: 'coder',
      kind: 'command',
      command: ['true'],
      capabilities: ['code'],
      maxConcurrency: 3,
    });
    await store.create({ name: 'claude', kind: 'claude-code', model: 'sonnet' });
    await workers.report('w1', [
      { agent: 'coder', available: true, reason: null, version: null, slots: 3 },
      {
        agent: 'claude',
        available: false,
        reason: 'claude was not found',
        version: null,
        slots: 2,
      },
    ]);
    await workers.report('w2', [
      { agent: 'coder', available: true, reason: null, version: null, slots: 3 },
    ]);

    // coder: 9 of 10 judged attempts succeeded (advanced); cancelled ones are not judged.
    for (let i = 0; i < 10; i += 1) {
      const id = await attempt('coder', 'w1');
      await ledger.finished(id, i === 0 ? 'failed' : 'succeeded', usage(100, 10, 0.01));
    }
    await ledger.finished(await attempt('coder', 'w1'), 'cancelled', usage(5, 0, null));
    // Two running on a live worker, one on a worker that never reported (not counted).
    await attempt('coder', 'w1');
    await attempt('coder', 'w2');
    await attempt('coder', 'gone');

    const views = Object.fromEntries(
      (await describeAgents({ store, ledger, workers, queues: null })).map((v) => [v.name, v]),
    );
    expect(views.coder).toMatchObject({
      kind: 'command',
      capabilities: ['code'],
      maxConcurrency: 3,
      tier: { level: 'advanced', successRate: 0.9, steps: 10 },
      availability: { available: true, reason: null, workers: 2 },
      load: { running: 2, backlog: 0, pollers: 0, slots: 6 },
    });
    expect(views.claude).toMatchObject({
      model: 'sonnet',
      tier: { level: 'unrated', successRate: null, steps: 0 },
      availability: { available: false, reason: 'claude was not found', workers: 0 },
    });

    const spent = (await ledger.usageByAgent(new Date(0))).get('coder');
    expect(spent).toMatchObject({ inputTokens: 1005, outputTokens: 100 });
    expect(spent?.costUsd).toBeCloseTo(0.1);

    await workers.withdraw('w1');
    await workers.withdraw('w2');
    const after = await describeAgents({ store, ledger, workers, queues: null });
    expect(after.find((v) => v.name === 'coder')?.availability).toMatchObject({
      available: false,
      workers: 0,
    });
    expect(after.find((v) => v.name === 'coder')?.load.running).toBe(0);
  });

  it('marks an attempt whose worker died as lost when the retry starts', async () => {
    await workers.report('w3', [
      { agent: 'coder', available: true, reason: null, version: null, slots: 1 },
    ]);
    const first = await attempt('coder', 'w3', 1, 'step-x');
    const second = await attempt('coder', 'w3', 2, 'step-x');
    await ledger.finished(second, 'succeeded', usage(1, 1, null));
    const rows = await database.db
      .selectFrom('agent_steps')
      .select(['id', 'outcome'])
      .where('id', 'in', [first, second])
      .orderBy('attempt')
      .execute();
    expect(rows.map((row) => row.outcome)).toEqual(['lost', 'succeeded']);
  });

  it("records a lost attempt's heartbeated usage once, and counts it for the step", async () => {
    const spent = usage(300, 30, 0.03);
    const first = await attempt('coder', 'w3', 1, 'step-y');
    const second = await attempt('coder', 'w3', 2, 'step-y', { attempt: 1, usage: spent });
    // Attempt 2 dies in its setup too: attempt 3 sees attempt 1's details again (repeated by
    // the setup heartbeats) and must not count them twice, nor give them to attempt 2.
    const third = await attempt('coder', 'w3', 3, 'step-y', { attempt: 1, usage: usage(9, 9, 9) });
    const rows = await database.db
      .selectFrom('agent_steps')
      .select(['attempt', 'outcome', 'input_tokens', 'output_tokens', 'cost_usd'])
      .where('id', 'in', [first, second, third])
      .orderBy('attempt')
      .execute();
    expect(
      rows.map((row) => [
        row.attempt,
        row.outcome,
        Number(row.input_tokens),
        Number(row.output_tokens),
      ]),
    ).toEqual([
      [1, 'lost', 300, 30],
      [2, 'lost', 0, 0],
      [3, null, 0, 0],
    ]);
    const earlier = await ledger.earlierAttempts({
      workflowId: 'session-retried-step-y',
      runId: 'run',
      activityId: 'step-y',
      attempt: 3,
    });
    expect(earlier).toMatchObject({ steps: 2, inputTokens: 300, outputTokens: 30 });
    expect(earlier.costUsd).toBeCloseTo(0.03);
  });
});

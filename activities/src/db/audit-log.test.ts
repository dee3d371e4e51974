import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/services.js';
import { createAuditLog, type AuditActor, type AuditLog } from './audit-log.js';
import { openDatabase, type OpenedDatabase } from './connect.js';
import { migrate } from './migrations/migrate.js';

const alice: AuditActor = { tokenId: 'tok-alice', name: 'alice', role: 'operator' };
const root: AuditActor = { tokenId: 'tok-root', name: 'root', role: 'admin' };

/** The same behaviour on both drivers: bigint ids and jsonb come back differently from each. */
describe.each([
  ['Postgres', 'postgres'],
  ['PGlite', 'pglite'],
] as const)('audit log on %s', (_label, kind) => {
  let testDb: TestDatabase | undefined;
  let database: OpenedDatabase;
  let audit: AuditLog;

  beforeAll(async () => {
    if (kind === 'postgres') testDb = await createTestDatabase();
    database = await openDatabase(testDb ? { databaseUrl: testDb.url } : {});
    await migrate(database.db);
    audit = createAuditLog(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('records who did what to which thing, in which request, and reads it back', async () => {
    const recorded = await audit.record({
      actor: alice,
      action: 'session.stop',
      target: 'abc123',
      detail: { force: true, reason: 'stuck', nested: { list: [1, 'two'] } },
      requestId: 'req-1',
      clientIp: '127.0.0.1',
    });
    expect(recorded).toEqual({
      id: expect.any(Number),
      at: expect.any(Date),
      actor: alice,
      action: 'session.stop',
      target: 'abc123',
      detail: { force: true, reason: 'stuck', nested: { list: [1, 'two'] } },
      requestId: 'req-1',
      clientIp: '127.0.0.1',
    });
    const [latest] = await audit.list({ limit: 1 });
    expect(latest).toEqual(recorded);
  });

  it('pages newest first with `before`, and filters by action and actor', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const event = await audit.record({
        actor: i % 2 === 0 ? root : alice,
        action: i % 2 === 0 ? 'token.create' : 'session.retry',
        target: `t${i}`,
      });
      ids.push(event.id);
    }
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const first = await audit.list({ limit: 2 });
    expect(first.map((e) => e.target)).toEqual(['t4', 't3']);
    const second = await audit.list({ limit: 2, before: first.at(-1)!.id });
    expect(second.map((e) => e.target)).toEqual(['t2', 't1']);
    const creations = await audit.list({ limit: 10, action: 'token.create' });
    expect(creations.map((e) => e.target)).toEqual(['t4', 't2', 't0']);
    const byAlice = await audit.list({ limit: 10, actorTokenId: 'tok-alice', before: ids[4] });
    expect(byAlice.map((e) => e.target)).toEqual(['t3', 't1', 'abc123']);
    expect(byAlice[2]!.detail).toMatchObject({ force: true });
    expect((await audit.list({ limit: 10, action: 'agent.delete' })).length).toBe(0);
  });

  it('keeps a local actor (authentication off) and an event without target or detail', async () => {
    const event = await audit.record({
      actor: { tokenId: null, name: 'local', role: 'admin' },
      action: 'agent.delete',
      target: null,
    });
    expect(event).toMatchObject({ actor: { tokenId: null }, target: null, detail: {} });
    expect(event.requestId).toBeNull();
  });

  it('refuses an action that is not <resource>.<verb>', async () => {
    await expect(audit.record({ actor: root, action: 'stop', target: null })).rejects.toThrow(
      /Audit action "stop" is not of the form <resource>\.<verb>/,
    );
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/services.js';
import { createApiTokenStore, hashApiToken, type ApiTokenStore } from './api-tokens.js';
import { openDatabase, type OpenedDatabase } from './connect.js';
import { Migrator } from 'kysely';
import { migrate } from './migrations/migrate.js';
import { migrationProvider } from './migrations/provider.js';

let testDb: TestDatabase;
let database: OpenedDatabase;
let tokens: ApiTokenStore;

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase({ databaseUrl: testDb.url });
  await migrate(database.db);
  tokens = createApiTokenStore(database.db);
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

describe('API tokens', () => {
  it('hands out a random io_ token once and stores only its sha256', async () => {
    const created = await tokens.create('ci', 'viewer');
    const other = await tokens.create('ci', 'viewer');
    expect(created.token).toMatch(/^io_[A-Za-z0-9_-]{43}$/);
    expect(other.token).not.toBe(created.token);
    const rows = await database.db.selectFrom('api_tokens').selectAll().execute();
    const row = rows.find((r) => r.id === created.id)!;
    expect(row.token_hash).toBe(hashApiToken(created.token));
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(created.token);
    expect(JSON.stringify(rows)).not.toContain(created.token.slice(3));
    expect(created).toMatchObject({
      name: 'ci',
      role: 'viewer',
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(created.createdAt).toBeInstanceOf(Date);
  });

  it('verifies a valid token, marking it used, and rejects anything else', async () => {
    const { id, token } = await tokens.create('admin', 'admin');
    const verified = await tokens.verify(token);
    expect(verified).toMatchObject({ id, name: 'admin', role: 'admin' });
    expect(verified?.lastUsedAt).toBeInstanceOf(Date);
    expect(await tokens.verify(`${token}x`)).toBeNull();
    expect(await tokens.verify('io_nope')).toBeNull();
    expect(await tokens.verify('')).toBeNull();
    expect(await tokens.verify(hashApiToken(token))).toBeNull();
  });

  it('stops verifying revoked tokens and counts only live ones', async () => {
    const before = await tokens.count();
    const operatorsBefore = await tokens.count('operator');
    const { id, token } = await tokens.create('temporary', 'operator');
    expect(await tokens.count()).toBe(before + 1);
    expect(await tokens.count('operator')).toBe(operatorsBefore + 1);
    expect(await tokens.revoke(id)).toBe(true);
    expect(await tokens.revoke(id)).toBe(false);
    expect(await tokens.verify(token)).toBeNull();
    expect(await tokens.count()).toBe(before);
    expect(await tokens.count('operator')).toBe(operatorsBefore);
    // A revoked token is still listed and readable, with when it was revoked.
    expect((await tokens.get(id))?.revokedAt).toBeInstanceOf(Date);
    expect(await tokens.get('no-such-token')).toBeNull();
  });

  it('lists every token, newest first, without any secret', async () => {
    const created = await tokens.create('listed', 'operator');
    const list = await tokens.list();
    expect(list[0]).toEqual({
      id: created.id,
      name: 'listed',
      role: 'operator',
      createdAt: created.createdAt,
      lastUsedAt: null,
      revokedAt: null,
    });
    const text = JSON.stringify(list);
    expect(text).not.toContain(created.token);
    expect(text).not.toContain(hashApiToken(created.token));
  });

  it('refuses a role it does not know, here and in the database', async () => {
    await expect(tokens.create('root', 'root' as never)).rejects.toThrow(
      /Unknown API token role "root": expected one of viewer, operator, admin/,
    );
    await expect(
      database.db
        .insertInto('api_tokens')
        .values({ id: 'x', name: 'x', role: 'root' as never, token_hash: 'x' })
        .execute(),
    ).rejects.toThrow(/api_tokens_role_check/);
  });

  it('makes tokens created before roles existed admins (what they could do), new ones choose', async () => {
    const { db, close } = await openDatabase();
    try {
      const migrator = new Migrator({ db, provider: migrationProvider });
      const before = await migrator.migrateTo('0003_agent_registry');
      expect(before.error).toBeUndefined();
      await db
        .insertInto('api_tokens')
        .values({ id: 'old', name: 'from 0002', token_hash: hashApiToken('io_old') } as never)
        .execute();
      expect(await migrate(db)).toContain('0004_roles_and_audit');
      const store = createApiTokenStore(db);
      expect(await store.verify('io_old')).toMatchObject({ id: 'old', role: 'admin' });
      // The default that upgraded old rows is gone: an insert without a role fails.
      await expect(
        db
          .insertInto('api_tokens')
          .values({ id: 'new', name: 'no role', token_hash: 'n' } as never)
          .execute(),
      ).rejects.toThrow(/role/);
    } finally {
      await close();
    }
  });
});

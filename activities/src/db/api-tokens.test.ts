import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/services.js';
import { createApiTokenStore, hashApiToken, type ApiTokenStore } from './api-tokens.js';
import { openDatabase, type OpenedDatabase } from './connect.js';
import { migrate } from './migrations/migrate.js';

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
    const created = await tokens.create('ci');
    const other = await tokens.create('ci');
    expect(created.token).toMatch(/^io_[A-Za-z0-9_-]{43}$/);
    expect(other.token).not.toBe(created.token);
    const rows = await database.db.selectFrom('api_tokens').selectAll().execute();
    const row = rows.find((r) => r.id === created.id)!;
    expect(row.token_hash).toBe(hashApiToken(created.token));
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(created.token);
    expect(JSON.stringify(rows)).not.toContain(created.token.slice(3));
    expect(created).toMatchObject({ name: 'ci', lastUsedAt: null, revokedAt: null });
    expect(created.createdAt).toBeInstanceOf(Date);
  });

  it('verifies a valid token, marking it used, and rejects anything else', async () => {
    const { id, token } = await tokens.create('admin');
    const verified = await tokens.verify(token);
    expect(verified).toMatchObject({ id, name: 'admin' });
    expect(verified?.lastUsedAt).toBeInstanceOf(Date);
    expect(await tokens.verify(`${token}x`)).toBeNull();
    expect(await tokens.verify('io_nope')).toBeNull();
    expect(await tokens.verify('')).toBeNull();
    expect(await tokens.verify(hashApiToken(token))).toBeNull();
  });

  it('stops verifying revoked tokens and counts only live ones', async () => {
    const before = await tokens.count();
    const { id, token } = await tokens.create('temporary');
    expect(await tokens.count()).toBe(before + 1);
    expect(await tokens.revoke(id)).toBe(true);
    expect(await tokens.revoke(id)).toBe(false);
    expect(await tokens.verify(token)).toBeNull();
    expect(await tokens.count()).toBe(before);
  });
});

import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../testing/git-fixtures.js';
import { createTestDatabase, type TestDatabase } from '../../testing/services.js';
import { openDatabase } from '../connect.js';
import type { Database } from '../schema.js';
import { migrate } from './migrate.js';
import { migrations } from './provider.js';

const ALL = Object.keys(migrations);

async function tables(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' order by table_name`.execute(db);
  return rows.map((row) => row.table_name);
}

describe('migrations on Postgres', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => testDb?.drop());

  it('migrate to the latest from two processes starting at once, then do nothing', async () => {
    const [a, b] = await Promise.all([
      openDatabase({ databaseUrl: testDb.url }),
      openDatabase({ databaseUrl: testDb.url }),
    ]);
    try {
      const applied = await Promise.all([migrate(a.db), migrate(b.db)]);
      // Exactly one of them applied everything; the other waited on the lock and found nothing.
      expect(applied.map((names) => names.length).sort()).toEqual([0, ALL.length]);
      expect(applied.flat()).toEqual(ALL);
      expect(await migrate(a.db)).toEqual([]);
      expect(a.kind).toBe('postgres');
      expect(await tables(a.db)).toEqual(
        expect.arrayContaining(['api_tokens', 'kysely_migration', 'log_lines']),
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('migrations on PGlite', () => {
  it('migrate an in-memory database', async () => {
    const { db, kind, close } = await openDatabase();
    try {
      expect(kind).toBe('pglite');
      expect(await migrate(db)).toEqual(ALL);
      expect(await tables(db)).toEqual(expect.arrayContaining(['api_tokens', 'log_lines']));
    } finally {
      await close();
    }
  });

  it('persist under dataDir: a reopened database is already migrated and keeps its rows', async () => {
    const dir = await makeTempDir('io-pglite');
    const dataDir = join(dir, 'pglite');
    try {
      const first = await openDatabase({ dataDir });
      expect(await migrate(first.db)).toEqual(ALL);
      await first.db
        .insertInto('api_tokens')
        .values({ id: 't1', name: 'kept', role: 'admin', token_hash: 'h' })
        .execute();
      await first.close();

      const second = await openDatabase({ dataDir });
      try {
        expect(await migrate(second.db)).toEqual([]);
        const rows = await second.db.selectFrom('api_tokens').select('name').execute();
        expect(rows).toEqual([{ name: 'kept' }]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps a transaction to itself while other queries run (one connection at a time)', async () => {
    const { db, close } = await openDatabase();
    try {
      await migrate(db);
      const outside = db.transaction().execute(async (trx) => {
        await trx
          .insertInto('api_tokens')
          .values({ id: 'rolled', name: 'x', role: 'viewer', token_hash: 'r' })
          .execute();
        await new Promise((resolve) => setTimeout(resolve, 50));
        throw new Error('roll back');
      });
      // Issued while the transaction is open: must not join (and be rolled back with) it.
      const concurrent = db
        .insertInto('api_tokens')
        .values({ id: 'kept', name: 'y', role: 'viewer', token_hash: 'k' })
        .execute();
      await expect(outside).rejects.toThrow('roll back');
      await concurrent;
      const ids = await db.selectFrom('api_tokens').select('id').execute();
      expect(ids).toEqual([{ id: 'kept' }]);
    } finally {
      await close();
    }
  });
});

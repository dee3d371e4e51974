/**
 * Opens the database: a pg pool when a URL is configured (production, the integration tests),
 * else embedded PGlite (the `npm start` default) persisted under `dataDir`, or in memory when
 * no directory is given. Both speak Postgres, so queries and migrations are shared.
 */
import { mkdir } from 'node:fs/promises';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from './schema.js';

export type DatabaseKind = 'postgres' | 'pglite';

export interface OpenDatabaseOptions {
  /** Postgres connection URL; when unset, PGlite is used. */
  databaseUrl?: string | null;
  /** Where PGlite keeps its files (e.g. `.data/pglite`); unset means in memory. */
  dataDir?: string | null;
  /** pg pool size (default 10). */
  maxConnections?: number;
  logger?: Pick<Logger, 'error'>;
}

export interface OpenedDatabase {
  db: Kysely<Database>;
  kind: DatabaseKind;
  close(): Promise<void>;
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.maxConnections ?? 10,
    });
    // An idle client losing its connection (Postgres restart) is emitted on the pool; without a
    // listener that error would crash the process. The pool replaces the client on next use.
    pool.on('error', (error) =>
      options.logger?.error({ err: error }, 'idle Postgres client error'),
    );
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  // Loaded only here: PGlite (Postgres compiled to WebAssembly) adds about 50 MB to a process
  // that merely imports it, and a worker or gateway with DATABASE_URL never uses it.
  const [{ PGlite }, { createPGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('./pglite-dialect.js'),
  ]);
  const client = await PGlite.create(options.dataDir ? { dataDir: options.dataDir } : {});
  const db = new Kysely<Database>({ dialect: createPGliteDialect(client) });
  return { db, kind: 'pglite', close: () => db.destroy() };
}

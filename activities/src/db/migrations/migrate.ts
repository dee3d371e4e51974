import { Migrator, type Kysely } from 'kysely';
import { migrationProvider } from './provider.js';

/**
 * Brings the schema to the latest migration; a no-op when it already is. Safe when several
 * processes start at once (a worker and a gateway replica): kysely runs the migrations in one
 * transaction under a Postgres advisory lock (`pg_advisory_xact_lock`), so the second process
 * waits, then finds nothing left to do. Returns the names of the migrations it applied.
 */
export async function migrate<DB>(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Database migration ${failed ? `"${failed}" ` : ''}failed: ${reason}. ` +
        'The schema was left at the last successful migration; fix the cause and restart.',
      { cause: error },
    );
  }
  return results.filter((result) => result.status === 'Success').map((r) => r.migrationName);
}

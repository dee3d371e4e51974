/**
 * Brings the Postgres schema to the latest migration and exits: the chart's migration Job
 * (a pre-upgrade hook) runs it, so a release's schema changes are applied, and can fail the
 * upgrade, before any new pod starts. The processes still migrate on start (a no-op by then),
 * under the same advisory lock, so running this twice or beside them is safe.
 *
 *   DATABASE_URL=postgres://… node --import tsx deploy/scripts/migrate.ts
 */
import { migrate, openDatabase } from '@orchestrator/activities';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error(
    'DATABASE_URL is not set. The migration Job gets it as the pods do (the bundled Postgres, ' +
      'or the DATABASE_URL key of secrets.existingSecret); by hand, set it to the orchestrator ' +
      'database, e.g. postgres://user:pass@host:5432/orchestrator.',
  );
  process.exit(2);
}

const database = await openDatabase({ databaseUrl, maxConnections: 1 });
try {
  const started = Date.now();
  const applied = await migrate(database.db);
  console.log(
    JSON.stringify({
      msg: applied.length ? 'migrations applied' : 'schema already up to date',
      applied,
      ms: Date.now() - started,
    }),
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await database.close();
}

/**
 * Creates an API token and prints it once (the database keeps only its hash). On Kubernetes the
 * gateway requires tokens, so this is how an operator gets the first one:
 *
 *   kubectl exec deploy/<release>-gateway -- node --import tsx deploy/scripts/create-token.ts admin
 */
import { createApiTokenStore, migrate, openDatabase } from '@orchestrator/activities';

const name = process.argv[2];
const databaseUrl = process.env.DATABASE_URL;
if (!name || !databaseUrl) {
  console.error(
    'Usage: DATABASE_URL=postgres://… node --import tsx deploy/scripts/create-token.ts <name>\n' +
      '<name> says whose token it is (e.g. admin, ci); the gateway and worker pods have DATABASE_URL set.',
  );
  process.exit(2);
}

const database = await openDatabase({ databaseUrl, maxConnections: 1 });
try {
  await migrate(database.db);
  const created = await createApiTokenStore(database.db).create(name);
  console.log(created.token);
  console.error(`Created API token "${name}" (id ${created.id}). It is shown only this once.`);
} finally {
  await database.close();
}

/**
 * Creates an API token and prints it once (the database keeps only its hash). On Kubernetes the
 * gateway requires tokens, so this is how an operator gets the first one:
 *
 *   kubectl exec deploy/<release>-gateway -- node --import tsx deploy/scripts/create-token.ts admin
 *
 * An optional second argument is the role (viewer, operator or admin; default admin, since the
 * first token must be able to create the others through POST /api/tokens).
 */
import { createApiTokenStore, migrate, openDatabase } from '@orchestrator/activities';
import { API_TOKEN_ROLES, isApiTokenRole } from '@orchestrator/activities/db/api-tokens';

const name = process.argv[2];
const role = process.argv[3] ?? 'admin';
const databaseUrl = process.env.DATABASE_URL;
if (!name || !databaseUrl || !isApiTokenRole(role)) {
  console.error(
    'Usage: DATABASE_URL=postgres://… node --import tsx deploy/scripts/create-token.ts <name> [role]\n' +
      '<name> says whose token it is (e.g. admin, ci); the gateway and worker pods have DATABASE_URL set.\n' +
      `[role] is one of ${API_TOKEN_ROLES.join(', ')} (default admin).`,
  );
  process.exit(2);
}

const database = await openDatabase({ databaseUrl, maxConnections: 1 });
try {
  await migrate(database.db);
  const created = await createApiTokenStore(database.db).create(name, role);
  console.log(created.token);
  console.error(
    `Created API token "${name}" (${role}, id ${created.id}). It is shown only this once.`,
  );
} finally {
  await database.close();
}

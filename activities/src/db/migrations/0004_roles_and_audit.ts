import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Roles on API tokens and the audit trail (see ApiTokensTable and AuditEventsTable in
 * ../schema.ts).
 */
export const rolesAndAudit: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    // Tokens made before roles existed could do everything: they become admins. The default
    // is dropped right after, so every new token must name its role.
    await db.schema
      .alterTable('api_tokens')
      .addColumn('role', 'text', (column) => column.notNull().defaultTo('admin'))
      .execute();
    await db.schema
      .alterTable('api_tokens')
      .alterColumn('role', (column) => column.dropDefault())
      .execute();
    await db.schema
      .alterTable('api_tokens')
      .addCheckConstraint('api_tokens_role_check', sql`role in ('admin', 'operator', 'viewer')`)
      .execute();

    await db.schema
      .createTable('audit_events')
      .addColumn('id', 'bigint', (column) => column.primaryKey().generatedAlwaysAsIdentity())
      .addColumn('at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      // No foreign key: the trail outlives the token (a revoked or deleted token's deeds stay).
      .addColumn('actor_token_id', 'text')
      .addColumn('actor_name', 'text', (column) => column.notNull())
      .addColumn('actor_role', 'text', (column) => column.notNull())
      .addColumn('action', 'text', (column) => column.notNull())
      .addColumn('target', 'text')
      .addColumn('detail', 'jsonb', (column) => column.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('request_id', 'text')
      .addColumn('client_ip', 'text')
      .execute();
    await db.schema
      .createIndex('audit_events_action_idx')
      .on('audit_events')
      .columns(['action', 'id'])
      .execute();
    await db.schema
      .createIndex('audit_events_actor_idx')
      .on('audit_events')
      .columns(['actor_token_id', 'id'])
      .execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.dropTable('audit_events').execute();
    await db.schema.alterTable('api_tokens').dropConstraint('api_tokens_role_check').execute();
    await db.schema.alterTable('api_tokens').dropColumn('role').execute();
  },
};

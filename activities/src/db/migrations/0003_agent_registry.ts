import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The agent registry, what workers report they can run, and the per-attempt step ledger (see
 * AgentsTable, AgentWorkersTable, AgentStepsTable in ../schema.ts).
 */
export const agentRegistry: Migration = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('agents')
      .addColumn('name', 'text', (column) => column.primaryKey())
      .addColumn('kind', 'text', (column) => column.notNull())
      .addColumn('config', 'jsonb', (column) => column.notNull())
      .addColumn('created_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      .addColumn('updated_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      .execute();
    // One row once the registry has been seeded: deleting every agent must not bring the seeds
    // back on the next start.
    await db.schema
      .createTable('agent_registry_seed')
      .addColumn('id', 'integer', (column) => column.primaryKey())
      .addColumn('source', 'text', (column) => column.notNull())
      .addColumn('seeded_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      .execute();
    await db.schema
      .createTable('agent_workers')
      .addColumn('worker_id', 'text', (column) => column.notNull())
      .addColumn('agent', 'text', (column) => column.notNull())
      .addColumn('available', 'boolean', (column) => column.notNull())
      .addColumn('reason', 'text')
      .addColumn('version', 'text')
      .addColumn('slots', 'integer', (column) => column.notNull())
      .addColumn('checked_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('agent_workers_pkey', ['worker_id', 'agent'])
      .execute();
    await db.schema
      .createTable('agent_steps')
      .addColumn('id', 'text', (column) => column.primaryKey())
      .addColumn('session_id', 'text', (column) => column.notNull())
      .addColumn('workflow_id', 'text', (column) => column.notNull())
      .addColumn('run_id', 'text', (column) => column.notNull())
      .addColumn('activity_id', 'text', (column) => column.notNull())
      .addColumn('attempt', 'integer', (column) => column.notNull())
      .addColumn('agent', 'text', (column) => column.notNull())
      .addColumn('worker_id', 'text', (column) => column.notNull())
      .addColumn('started_at', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      .addColumn('finished_at', 'timestamptz')
      .addColumn('outcome', 'text')
      .addColumn('error_type', 'text')
      .addColumn('input_tokens', 'bigint', (column) => column.notNull().defaultTo(0))
      .addColumn('output_tokens', 'bigint', (column) => column.notNull().defaultTo(0))
      .addColumn('cache_read_tokens', 'bigint', (column) => column.notNull().defaultTo(0))
      .addColumn('cache_write_tokens', 'bigint', (column) => column.notNull().defaultTo(0))
      .addColumn('cost_usd', 'double precision')
      .execute();
    await db.schema
      .createIndex('agent_steps_agent_finished')
      .on('agent_steps')
      .columns(['agent', 'finished_at'])
      .execute();
    await db.schema
      .createIndex('agent_steps_session')
      .on('agent_steps')
      .columns(['session_id'])
      .execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    for (const table of ['agent_steps', 'agent_workers', 'agent_registry_seed', 'agents']) {
      await db.schema.dropTable(table).execute();
    }
  },
};

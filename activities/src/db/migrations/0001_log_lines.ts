import { sql, type Kysely, type Migration } from 'kysely';

/** The log archive (see LogLinesTable in ../schema.ts). */
export const logLines: Migration = {
  // Migrations take Kysely<any>: they describe the schema of their moment, not today's types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('log_lines')
      .addColumn('session_id', 'text', (column) => column.notNull())
      .addColumn('entry_id', 'text', (column) => column.notNull())
      .addColumn('ms', 'bigint', (column) => column.notNull())
      .addColumn('seq', 'integer', (column) => column.notNull())
      .addColumn('stream', 'text', (column) => column.notNull())
      .addColumn('line', 'text', (column) => column.notNull())
      .addColumn('ts', 'timestamptz', (column) => column.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('log_lines_pkey', ['session_id', 'ms', 'seq'])
      .execute();
  },
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async down(db: Kysely<any>) {
    await db.schema.dropTable('log_lines').execute();
  },
};

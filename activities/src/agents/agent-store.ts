/**
 * The agent registry in Postgres: every worker and gateway reads the same agents, and the API
 * changes them. Entries are validated by the same code as AGENTS_FILE (config-file.ts), so a
 * bad entry is refused with the field at fault and never stored. Secrets are never part of an
 * entry (the parsers refuse them): agents name the worker's environment variable instead.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { UnknownFieldError } from './config-fields.js';
import { parseAgentConfigs } from './config-file.js';
import type { AgentRegistry } from './registry.js';
import type { AgentConfig } from './types.js';

export interface AgentRecord {
  config: AgentConfig;
  createdAt: Date;
  updatedAt: Date;
}

/** A write the registry refused: `status` is what an HTTP API answers, `path` the field. */
export interface FieldProblem {
  path: string;
  message: string;
}

export class AgentRegistryError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409,
    readonly path: string | null = null,
    /** Every field at fault (a 400 may name several); `path` is the first. */
    readonly problems: FieldProblem[] = path ? [{ path, message }] : [],
  ) {
    super(message);
    this.name = 'AgentRegistryError';
  }
}

export interface AgentStore extends AgentRegistry {
  records(): Promise<AgentRecord[]>;
  record(name: string): Promise<AgentRecord | undefined>;
  /** Validates and inserts; 409 when the name is taken. `where` prefixes field paths. */
  create(entry: unknown, where?: string): Promise<AgentRecord>;
  /** Validates and replaces the whole entry; the name in the entry must match (or be absent). */
  replace(name: string, entry: unknown, where?: string): Promise<AgentRecord>;
  remove(name: string): Promise<boolean>;
  /**
   * Inserts `configs` once in the registry's life (the first start), whatever later happens to
   * them: deleting every agent does not bring the seeds back. Returns whether it seeded.
   */
  seed(configs: AgentConfig[], source: string): Promise<boolean>;
}

/** A parser message (`<where>.<field>: <what>`) as the field at fault and what is wrong. */
function fieldProblem(error: unknown, where: string): FieldProblem & { field?: string } {
  const message = (error as Error).message;
  if (error instanceof UnknownFieldError) {
    const path = `${error.where.replace(/\[0\]$/, '')}.${error.field}`;
    return {
      path,
      message: message.slice(error.where.length + error.field.length + 3),
      field: error.field,
    };
  }
  const match = /^([^\s:]+): (.*)$/s.exec(message);
  return { path: match?.[1]?.replace(/\[0\]/, '') ?? where, message: match?.[2] ?? message };
}

/**
 * Validates an entry, naming every field at fault rather than the first: the parsers stop at
 * the first problem, so the field it names is set aside and the entry parsed again, until it
 * parses or a problem repeats or concerns `name`/`kind` (the rest depends on them). The parsers
 * check a kind's required field last, so a missing one does not hide the others' mistakes.
 */
function validate(entry: unknown, where: string): AgentConfig {
  const problems: FieldProblem[] = [];
  const candidate: unknown =
    typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? { ...entry } : entry;
  for (let round = 0; round < 32; round++) {
    try {
      const [config] = parseAgentConfigs([candidate], where);
      if (!config) throw new Error(`${where}: expected an agent`);
      if (problems.length === 0) return config;
      break;
    } catch (error) {
      const problem = fieldProblem(error, where);
      if (problems.some((known) => known.path === problem.path)) break;
      problems.push({ path: problem.path, message: problem.message });
      const field = problem.field ?? problem.path.slice(where.length + 1).split(/[.[]/)[0] ?? '';
      const fields = candidate as Record<string, unknown>;
      if (!field || field === 'name' || field === 'kind' || typeof candidate !== 'object') break;
      if (!(field in fields)) break;
      delete fields[field];
    }
  }
  const [first] = problems as [FieldProblem, ...FieldProblem[]];
  const message =
    problems.length === 1
      ? first.message
      : problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
  throw new AgentRegistryError(message, 400, first.path, problems);
}

function toRecord(row: {
  config: AgentConfig;
  created_at: Date | string;
  updated_at: Date | string;
}): AgentRecord {
  return {
    // pg parses jsonb; PGlite does too: either way the stored object comes back.
    config: typeof row.config === 'string' ? (JSON.parse(row.config) as AgentConfig) : row.config,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export function createAgentStore(db: Kysely<Database>): AgentStore {
  const records = async (): Promise<AgentRecord[]> => {
    const rows = await db.selectFrom('agents').selectAll().orderBy('name').execute();
    return rows.map(toRecord);
  };
  const record = async (name: string): Promise<AgentRecord | undefined> => {
    const row = await db
      .selectFrom('agents')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    return row ? toRecord(row) : undefined;
  };

  return {
    records,
    record,
    list: async () => (await records()).map((entry) => entry.config),
    get: async (name) => (await record(name))?.config,

    async create(entry, where = 'agent') {
      const config = validate(entry, where);
      const row = await db
        .insertInto('agents')
        .values({ name: config.name, kind: config.kind, config: JSON.stringify(config) })
        .onConflict((conflict) => conflict.column('name').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        throw new AgentRegistryError(
          `An agent named "${config.name}" already exists; PUT /api/agents/${config.name} ` +
            'changes it.',
          409,
          `${where}.name`,
        );
      }
      return toRecord(row);
    },

    async replace(name, entry, where = 'agent') {
      if (typeof entry === 'object' && entry !== null && !Array.isArray(entry)) {
        const given = (entry as Record<string, unknown>).name;
        if (given !== undefined && given !== name) {
          throw new AgentRegistryError(
            `The name cannot change (it is the agent's task queue); create a new agent instead.`,
            400,
            `${where}.name`,
          );
        }
        entry = { ...entry, name };
      }
      const config = validate(entry, where);
      const row = await db
        .updateTable('agents')
        .set({ kind: config.kind, config: JSON.stringify(config), updated_at: new Date() })
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirst();
      if (!row) throw new AgentRegistryError(`No agent named "${name}".`, 404);
      return toRecord(row);
    },

    async remove(name) {
      const result = await db.deleteFrom('agents').where('name', '=', name).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },

    async seed(configs, source) {
      const valid = parseAgentConfigs(configs, source);
      return db.transaction().execute(async (trx) => {
        // Whoever inserts the marker seeds; a second process starting at the same moment
        // (gateway and worker) finds it taken and leaves the registry alone.
        const marker = await trx
          .insertInto('agent_registry_seed')
          .values({ id: 1, source })
          .onConflict((conflict) => conflict.column('id').doNothing())
          .returning(sql<number>`1`.as('inserted'))
          .executeTakeFirst();
        if (!marker) return false;
        for (const config of valid) {
          await trx
            .insertInto('agents')
            .values({ name: config.name, kind: config.kind, config: JSON.stringify(config) })
            .onConflict((conflict) => conflict.column('name').doNothing())
            .execute();
        }
        return true;
      });
    },
  };
}

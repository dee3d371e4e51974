/**
 * Storage as one bundle for the processes (worker, gateway, the embedded launcher): the database
 * (Postgres or PGlite, migrated), the log bus (Redis or in-process), the log archive, the API
 * token store and the agent registry, opened from StorageSettings and closed together.
 */
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { readAgentConfigFile } from './agents/config-file.js';
import { defaultAgents } from './agents/defaults.js';
import { createAgentStore, type AgentStore } from './agents/agent-store.js';
import { createStepLedger, type StepLedger } from './agents/step-ledger.js';
import { createWorkerReports, type WorkerReports } from './agents/worker-reports.js';
import { createApiTokenStore, type ApiTokenStore } from './db/api-tokens.js';
import { createAuditLog, type AuditLog } from './db/audit-log.js';
import { openDatabase, type DatabaseKind } from './db/connect.js';
import { createLogArchive, type LogArchive } from './db/log-archive.js';
import { migrate } from './db/migrations/migrate.js';
import type { Database } from './db/schema.js';
import { createLogBus } from './logs/create-log-bus.js';
import type { LogBus } from './logs/types.js';
import type { StorageSettings } from './settings.js';

export interface Storage {
  db: Kysely<Database>;
  databaseKind: DatabaseKind;
  bus: LogBus;
  archive: LogArchive;
  tokens: ApiTokenStore;
  /** Who did what, when: written by the gateway, read by admins. */
  audit: AuditLog;
  /** The agent registry (seeded from AGENTS_FILE or the defaults on the first start). */
  agents: AgentStore;
  /** One row per agent step attempt: outcome, tokens, cost. */
  ledger: StepLedger;
  /** What each live worker can run. */
  workerReports: WorkerReports;
  /** Database health check for /readyz (the bus has its own ping). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Where the embedded database lives under the data directory. */
export function pgliteDataDir(settings: Pick<StorageSettings, 'dataDir'>): string {
  return join(settings.dataDir, 'pglite');
}

export async function openStorage(settings: StorageSettings, logger: Logger): Promise<Storage> {
  // Read before anything opens: a broken AGENTS_FILE stops the start with its own message.
  const seeds = settings.agentsFile
    ? await readAgentConfigFile(settings.agentsFile)
    : defaultAgents();
  const database = await openDatabase(
    settings.databaseUrl
      ? { databaseUrl: settings.databaseUrl, logger }
      : { dataDir: pgliteDataDir(settings), logger },
  );
  const agents = createAgentStore(database.db);
  try {
    await migrate(database.db);
    const seeded = await agents.seed(seeds, settings.agentsFile ?? 'defaults');
    if (seeded) {
      logger.info(
        { agents: seeds.map((agent) => agent.name), source: settings.agentsFile ?? 'defaults' },
        'agent registry seeded',
      );
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  const bus = createLogBus({
    redisUrl: settings.redisUrl,
    keyPrefix: settings.redisKeyPrefix,
    logger,
  });
  return {
    db: database.db,
    databaseKind: database.kind,
    bus,
    archive: createLogArchive(database.db),
    tokens: createApiTokenStore(database.db),
    audit: createAuditLog(database.db),
    agents,
    ledger: createStepLedger(database.db),
    workerReports: createWorkerReports(database.db),
    ping: async () => {
      await database.db.selectNoFrom((eb) => eb.lit(1).as('ok')).execute();
    },
    close: async () => {
      await Promise.allSettled([bus.close(), database.close()]);
    },
  };
}

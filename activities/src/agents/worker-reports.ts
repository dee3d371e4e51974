/**
 * What each worker can run. A worker checks every registered agent (binary, version, key) and
 * reports the result here while it runs, and withdraws on shutdown; an agent is available when
 * a worker seen recently can run it, and its slots are the sum of those workers' slots.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export interface AgentCheck {
  agent: string;
  available: boolean;
  reason: string | null;
  version: string | null;
  slots: number;
}

export interface AgentAvailabilitySummary {
  available: boolean;
  /** Why not, when no worker can run it (the first reason a worker gave, or no worker). */
  reason: string | null;
  /** Recently seen workers that can run it. */
  workers: number;
  version: string | null;
  /** Activity slots over those workers. */
  slots: number;
}

export interface WorkerReports {
  /** Replaces this worker's report with `checks` (agents it no longer lists are dropped). */
  report(workerId: string, checks: AgentCheck[]): Promise<void>;
  withdraw(workerId: string): Promise<void>;
  /** Per agent, from reports newer than `freshMs`. */
  summary(freshMs: number): Promise<Map<string, AgentAvailabilitySummary>>;
}

export function createWorkerReports(db: Kysely<Database>): WorkerReports {
  return {
    async report(workerId, checks) {
      const now = new Date();
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('agent_workers').where('worker_id', '=', workerId).execute();
        if (checks.length === 0) return;
        await trx
          .insertInto('agent_workers')
          .values(
            checks.map((check) => ({
              worker_id: workerId,
              agent: check.agent,
              available: check.available,
              reason: check.reason,
              version: check.version,
              slots: check.slots,
              checked_at: now,
            })),
          )
          .execute();
      });
    },

    async withdraw(workerId) {
      await db.deleteFrom('agent_workers').where('worker_id', '=', workerId).execute();
    },

    async summary(freshMs) {
      const rows = await db
        .selectFrom('agent_workers')
        .selectAll()
        .where('checked_at', '>=', new Date(Date.now() - freshMs))
        .orderBy('worker_id')
        .execute();
      const result = new Map<string, AgentAvailabilitySummary>();
      for (const row of rows) {
        const entry = result.get(row.agent) ?? {
          available: false,
          reason: null,
          workers: 0,
          version: null,
          slots: 0,
        };
        if (row.available) {
          entry.available = true;
          entry.reason = null;
          entry.workers += 1;
          entry.slots += row.slots;
          entry.version ??= row.version;
        } else if (!entry.available) {
          entry.reason ??= row.reason;
        }
        result.set(row.agent, entry);
      }
      return result;
    },
  };
}

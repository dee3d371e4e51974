/**
 * The usage ledger: one row per attempt of an agent step, written when the attempt starts and
 * finished with its outcome, tokens and cost, including attempts that were cancelled, stalled
 * or failed (their tokens were spent all the same). Tiers and the running count per agent are
 * read from it. An attempt whose worker died has no ending; the next attempt of the same step
 * marks it `lost`.
 */
import { sql, type Kysely } from 'kysely';
import type { AgentUsage } from '../contracts.js';
import type { Database, StepOutcome } from '../db/schema.js';
import { measureTier, TIER_WINDOW, type AgentTier } from './tiers.js';

export interface StepAttempt {
  sessionId: string;
  workflowId: string;
  runId: string;
  activityId: string;
  attempt: number;
  agent: string;
  workerId: string;
}

export interface UsageTotals {
  steps: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
}

/** What a lost attempt (its worker died) had spent by its last heartbeat. */
export interface LostAttemptUsage {
  attempt: number;
  usage: AgentUsage;
}

export interface StepLedger {
  /**
   * Records the attempt as running and the step's unfinished earlier attempts as `lost`
   * (with `lost`'s usage for that one attempt); returns its ledger id.
   */
  started(attempt: StepAttempt, lost?: LostAttemptUsage): Promise<string>;
  finished(
    id: string,
    outcome: StepOutcome,
    usage: AgentUsage | null,
    errorType?: string | null,
  ): Promise<void>;
  /** Measured tier per agent over its last TIER_WINDOW judged attempts. */
  tiers(window?: number): Promise<Map<string, AgentTier>>;
  /** Attempts without an ending, per agent, on workers seen in the last `freshMs`. */
  running(freshMs: number): Promise<Map<string, number>>;
  /** Usage per agent of the attempts started since `since`. */
  usageByAgent(since: Date): Promise<Map<string, UsageTotals>>;
  /** Usage of a session, all attempts. */
  sessionUsage(sessionId: string): Promise<UsageTotals>;
  /** What the earlier attempts of this step spent (failed, stalled, killed ones included). */
  earlierAttempts(
    attempt: Omit<StepAttempt, 'sessionId' | 'agent' | 'workerId'>,
  ): Promise<UsageTotals>;
}

/** Outcomes that say something about the agent (cancelled and lost do not). */
const JUDGED: StepOutcome[] = ['succeeded', 'failed', 'stalled', 'model_error'];

export function attemptId(attempt: Omit<StepAttempt, 'sessionId' | 'agent' | 'workerId'>) {
  return `${attempt.workflowId}/${attempt.runId}/${attempt.activityId}/${attempt.attempt}`;
}

function totals(row: Record<string, unknown> | undefined): UsageTotals {
  return {
    steps: Number(row?.steps ?? 0),
    inputTokens: Number(row?.input_tokens ?? 0),
    outputTokens: Number(row?.output_tokens ?? 0),
    cacheReadTokens: Number(row?.cache_read_tokens ?? 0),
    cacheWriteTokens: Number(row?.cache_write_tokens ?? 0),
    costUsd: Number(row?.cost_usd ?? 0),
  };
}

const SUMS = [
  sql<string>`count(*)`.as('steps'),
  sql<string>`coalesce(sum(input_tokens), 0)`.as('input_tokens'),
  sql<string>`coalesce(sum(output_tokens), 0)`.as('output_tokens'),
  sql<string>`coalesce(sum(cache_read_tokens), 0)`.as('cache_read_tokens'),
  sql<string>`coalesce(sum(cache_write_tokens), 0)`.as('cache_write_tokens'),
  sql<string>`coalesce(sum(cost_usd), 0)`.as('cost_usd'),
];

function usageColumns(usage: AgentUsage | null) {
  return {
    input_tokens: usage?.inputTokens ?? 0,
    output_tokens: usage?.outputTokens ?? 0,
    cache_read_tokens: usage?.cacheReadTokens ?? 0,
    cache_write_tokens: usage?.cacheWriteTokens ?? 0,
    cost_usd: usage?.costUsd ?? null,
  };
}

export function createStepLedger(db: Kysely<Database>): StepLedger {
  return {
    async started(attempt, lost) {
      const id = attemptId(attempt);
      await db.transaction().execute(async (trx) => {
        if (lost && lost.attempt < attempt.attempt) {
          await trx
            .updateTable('agent_steps')
            .set({ finished_at: new Date(), outcome: 'lost', ...usageColumns(lost.usage) })
            .where('id', '=', attemptId({ ...attempt, attempt: lost.attempt }))
            .where('finished_at', 'is', null)
            .execute();
        }
        await trx
          .updateTable('agent_steps')
          .set({ finished_at: new Date(), outcome: 'lost' })
          .where('workflow_id', '=', attempt.workflowId)
          .where('run_id', '=', attempt.runId)
          .where('activity_id', '=', attempt.activityId)
          .where('attempt', '<', attempt.attempt)
          .where('finished_at', 'is', null)
          .execute();
        await trx
          .insertInto('agent_steps')
          .values({
            id,
            session_id: attempt.sessionId,
            workflow_id: attempt.workflowId,
            run_id: attempt.runId,
            activity_id: attempt.activityId,
            attempt: attempt.attempt,
            agent: attempt.agent,
            worker_id: attempt.workerId,
          })
          // The same attempt delivered again (a worker restart before it heartbeated) is one row.
          .onConflict((conflict) =>
            conflict.column('id').doUpdateSet({ worker_id: attempt.workerId, finished_at: null }),
          )
          .execute();
      });
      return id;
    },

    async finished(id, outcome, usage, errorType = null) {
      await db
        .updateTable('agent_steps')
        .set({
          finished_at: new Date(),
          outcome,
          error_type: errorType,
          ...usageColumns(usage),
        })
        .where('id', '=', id)
        .execute();
    },

    async tiers(window = TIER_WINDOW) {
      const ranked = db
        .selectFrom('agent_steps')
        .select([
          'agent',
          'outcome',
          sql<number>`row_number() over (partition by agent order by finished_at desc)`.as('n'),
        ])
        .where('outcome', 'in', JUDGED)
        .as('ranked');
      const rows = await db
        .selectFrom(ranked)
        .select([
          'agent',
          sql<string>`count(*)`.as('steps'),
          sql<string>`count(*) filter (where outcome = 'succeeded')`.as('succeeded'),
        ])
        .where('n', '<=', window)
        .groupBy('agent')
        .execute();
      return new Map(
        rows.map((row) => [row.agent, measureTier(Number(row.succeeded), Number(row.steps))]),
      );
    },

    async running(freshMs) {
      const since = new Date(Date.now() - freshMs);
      const rows = await db
        .selectFrom('agent_steps')
        .select(['agent', sql<string>`count(*)`.as('running')])
        .where('finished_at', 'is', null)
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('agent_workers')
              .select(sql`1`.as('one'))
              .whereRef('agent_workers.worker_id', '=', 'agent_steps.worker_id')
              .where('agent_workers.checked_at', '>=', since),
          ),
        )
        .groupBy('agent')
        .execute();
      return new Map(rows.map((row) => [row.agent, Number(row.running)]));
    },

    async usageByAgent(since) {
      const rows = await db
        .selectFrom('agent_steps')
        .select(['agent', ...SUMS])
        .where('started_at', '>=', since)
        .groupBy('agent')
        .execute();
      return new Map(rows.map((row) => [row.agent, totals(row)]));
    },

    async earlierAttempts(attempt) {
      const row = await db
        .selectFrom('agent_steps')
        .select(SUMS)
        .where('workflow_id', '=', attempt.workflowId)
        .where('run_id', '=', attempt.runId)
        .where('activity_id', '=', attempt.activityId)
        .where('attempt', '<', attempt.attempt)
        .executeTakeFirst();
      return totals(row);
    },

    async sessionUsage(sessionId) {
      const row = await db
        .selectFrom('agent_steps')
        .select(SUMS)
        .where('session_id', '=', sessionId)
        .executeTakeFirst();
      return totals(row);
    },
  };
}

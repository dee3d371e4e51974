/**
 * Figure: the first page of `GET /api/sessions?status=<s>` with 10,000 sessions in Temporal,
 * against the same visibility query sent raw with listWorkflowExecutions (same page size), one
 * after the other, alternating.
 *
 * Sessions beyond those earlier figures left are seeded straight through the Temporal client:
 * workflows of type `session` with the gateway's memo and search attributes, on a task queue no
 * worker polls, so they stay Running with the SessionStatus they were given (the four open
 * statuses in turn). Visibility cannot tell them from sessions started through the API.
 */
import { randomBytes } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import {
  AgentNameKey,
  RepositoryKey,
  SessionStatusKey,
  SessionTitleKey,
  sessionWorkflowId,
  type SessionInput,
  type SessionStatus,
} from '@orchestrator/workflows/client';
import { statusQuery } from '@orchestrator/gateway/sessions/status';
import { describeCpu, startCpuMeter } from '../core/cpu-meter.js';
import { makeFigure, targets, type Figure } from '../core/figure.js';
import { runPool } from '../core/pool.js';
import { summarize } from '../core/stats.js';
import type { BenchContext } from './context.js';

const PARKED_TASK_QUEUE = 'bench-parked';
const OPEN_STATUSES: SessionStatus[] = ['pending', 'running', 'paused', 'awaiting_approval'];
const PAGE_SIZE = 20;

async function countSessions(ctx: BenchContext, query: string): Promise<number> {
  const { count } = await ctx.stack.client.workflow.count(query);
  return count;
}

async function seed(ctx: BenchContext, total: number): Promise<number> {
  const { stack, progress } = ctx;
  const existing = await countSessions(ctx, `WorkflowType = 'session'`);
  const missing = Math.max(0, total - existing);
  const batch = randomBytes(3).toString('hex');
  await runPool(
    missing,
    50,
    async (i) => {
      const sessionId = `parked-${batch}-${i}`;
      const memo = {
        title: `parked ${i}`,
        goal: 'wait in visibility',
        repository: stack.sampleRepository,
        agent: 'bench-waiting',
      };
      const input: SessionInput = { sessionId, ...memo };
      const start = () =>
        stack.client.workflow.start('session', {
          taskQueue: PARKED_TASK_QUEUE,
          workflowId: sessionWorkflowId(sessionId),
          args: [input],
          memo,
          typedSearchAttributes: [
            { key: SessionStatusKey, value: OPEN_STATUSES[i % OPEN_STATUSES.length]! },
            { key: AgentNameKey, value: memo.agent },
            { key: RepositoryKey, value: memo.repository },
            { key: SessionTitleKey, value: memo.title },
          ],
        });
      // A loaded dev server sometimes fails a start (a namespace lookup, a busy SQLite): once
      // more after a pause; a start that did go through the first time is as good.
      await start().catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        await start().catch((error: unknown) => {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        });
      });
    },
    (done) => progress.count('list', done, missing, 'sessions seeded'),
  );
  // Visibility is eventually consistent: wait until it counts them all.
  for (let tries = 0; (await countSessions(ctx, `WorkflowType = 'session'`)) < total; tries += 1) {
    if (tries > 300) throw new Error(`visibility never counted ${total} sessions`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return existing;
}

export async function measureListSessions(ctx: BenchContext): Promise<Figure[]> {
  const { stack, options, progress } = ctx;
  const existing = await seed(ctx, options.listSessions);
  // The gateway's own query for this filter (gateway/src/sessions/status.ts).
  const query = `WorkflowType = 'session' AND ${statusQuery(options.listStatus)}`;
  const matching = await countSessions(ctx, query);
  const gatewayMs: number[] = [];
  const rawMs: number[] = [];
  const countMs: number[] = [];
  let firstPage = 0;
  let gatewayCounts = false;
  const meter = startCpuMeter(stack.processes());
  for (let i = 0; i < options.listSamples; i += 1) {
    let started = performance.now();
    const response = await stack.api(
      `/api/sessions?status=${options.listStatus}&limit=${PAGE_SIZE}`,
    );
    const body = (await response.json()) as { items?: unknown[]; total?: unknown };
    gatewayMs.push(performance.now() - started);
    if (response.status !== 200 || !Array.isArray(body.items)) {
      throw new Error(`GET /api/sessions answered ${response.status}: ${JSON.stringify(body)}`);
    }
    firstPage = body.items.length;
    gatewayCounts = typeof body.total === 'number';
    started = performance.now();
    await stack.client.workflowService.listWorkflowExecutions({
      namespace: stack.temporal.namespace,
      query,
      pageSize: PAGE_SIZE,
    });
    rawMs.push(performance.now() - started);
    // Not the anchor: the count of the same query, to see what a gateway that counts pays.
    started = performance.now();
    await stack.client.workflow.count(query);
    countMs.push(performance.now() - started);
    progress.count('list', i + 1, options.listSamples, 'gateway + raw queries');
  }
  const cpu = meter();
  if (firstPage !== Math.min(PAGE_SIZE, matching)) {
    throw new Error(
      `the gateway's first page held ${firstPage} sessions; ${Math.min(PAGE_SIZE, matching)} match status ${options.listStatus}`,
    );
  }
  const gateway = summarize(gatewayMs);
  const raw = summarize(rawMs);
  const count = summarize(countMs);
  const target = targets.ratioAtMost(2);
  const notes = [
    `${options.listSessions} sessions (${existing} from earlier figures, the rest seeded as Running workflows of type session), ${matching} with status ${options.listStatus}; page size ${PAGE_SIZE}; ${options.listSamples} requests each, alternating`,
    `query: ${query}`,
    `gateway p99 ${gateway.p99.toFixed(1)} ms, raw p99 ${raw.p99.toFixed(1)} ms; the raw count of the same query p50 ${count.p50.toFixed(1)} ms${gatewayCounts ? ' (the gateway counts too: its page carries `total`)' : ''}`,
    describeCpu(cpu, options.listSamples, 'gateway request + raw list + raw count'),
  ];
  if (!target.check(gateway.p50, raw.p50)) {
    notes.push(
      `why: ${gatewayCounts ? `the page carries \`total\`, a second visibility query (the raw count: p50 ${count.p50.toFixed(1)} ms beside the list on the same server); the gateway reuses one count per filter for 2 s (gateway/src/sessions/count-cache.ts), so only the requests that find none pay it (gateway p90 ${gateway.p90.toFixed(1)} ms); besides that it` : 'besides the same visibility call, the gateway'} decodes every execution (memo and search attribute payloads), checks superseded runs of failed or cancelled sessions with a describe each, and serialises JSON over HTTP`,
      `to close it: ${gatewayCounts ? 'count only when the client asks for a total, ' : ''}decode only the fields the summary shows, and cache the superseded-run check per workflow id; --cpu-profile shows where the gateway's time goes`,
    );
  }
  return [
    makeFigure({
      id: 'list-sessions-p50',
      title: `first page of GET /api/sessions?status=${options.listStatus}, ${options.listSessions} sessions, p50`,
      unit: 'ms',
      value: gateway.p50,
      anchor: { label: 'the same listWorkflowExecutions query, raw, p50', value: raw.p50 },
      target,
      notes,
      details: { gateway, raw, count, gatewayCounts, matching, query },
    }),
  ];
}

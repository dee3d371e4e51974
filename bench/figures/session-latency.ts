/**
 * Figure: a session with one no-op `command` step, from `POST /api/sessions` to the `completed`
 * status on the WebSocket, p50 and p99, against the minimal workflow with one activity started
 * with the Temporal client and awaited with result(). One at a time, alternating, so both see
 * the same machine.
 */
import { runAnchorWorkflow, type AnchorRun } from '../clients/anchor-workflow.js';
import { runSession, type CompletedSession } from '../clients/sessions.js';
import { makeFigure, targets, type Figure } from '../core/figure.js';
import { RunFailures } from '../core/run-failures.js';
import { summarize } from '../core/stats.js';
import { BENCH_AGENTS } from '../stack/agents.js';
import type { BenchContext } from './context.js';
import { comparePhases, phaseNotes } from './session-phases.js';

const ANCHOR_LABEL = 'minimal workflow + 1 activity (Temporal client start → result)';

export async function measureSessionLatency(ctx: BenchContext): Promise<Figure[]> {
  const { stack, options, progress, socket } = ctx;
  const sessions: CompletedSession[] = [];
  const anchors: AnchorRun[] = [];
  const failures = new RunFailures();
  const once = async (record: boolean) => {
    const session = await runSession(stack, socket, BENCH_AGENTS.noop.name, 'no-op').catch(
      (error: unknown) => failures.record(error),
    );
    const anchor = await runAnchorWorkflow(stack.client).catch((error: unknown) =>
      failures.record(error),
    );
    if (record && session) sessions.push(session);
    if (record && anchor) anchors.push(anchor);
  };
  for (let i = 0; i < options.latencyWarmup; i += 1) await once(false);
  for (let i = 0; i < options.latencySamples; i += 1) {
    await once(true);
    progress.count('latency', i + 1, options.latencySamples, 'sessions + anchor workflows');
  }
  failures.check(2 * (options.latencySamples + options.latencyWarmup), 'sessions and anchor runs');
  const session = summarize(sessions.map((s) => s.completedAt - s.postedAt));
  const anchor = summarize(anchors.map((a) => a.completedAt - a.startedAt));
  const comparison = await comparePhases(stack.client, sessions, anchors);
  const target = targets.ratioAtMost(1.3);
  const missed = !target.check(session.p50, anchor.p50);
  const how = `${options.latencySamples} sessions and ${options.latencySamples} anchor workflows, one at a time, alternating (after ${options.latencyWarmup} warm-up pairs)`;
  return [
    makeFigure({
      id: 'session-latency-p50',
      title: 'session, one no-op command step: POST → completed (WebSocket), p50',
      unit: 'ms',
      value: session.p50,
      anchor: { label: `${ANCHOR_LABEL}, p50`, value: anchor.p50 },
      target,
      notes: [
        how,
        ...phaseNotes(comparison, missed),
        ...[failures.note(2 * options.latencySamples, 'sessions and anchor runs')].filter(
          (note): note is string => note !== null,
        ),
      ],
      details: { session, anchor, phases: comparison },
    }),
    makeFigure({
      id: 'session-latency-p99',
      title: 'session, one no-op command step: POST → completed (WebSocket), p99',
      unit: 'ms',
      value: session.p99,
      anchor: { label: `${ANCHOR_LABEL}, p99`, value: anchor.p99 },
      details: { session, anchor },
    }),
  ];
}

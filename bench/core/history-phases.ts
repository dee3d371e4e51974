/**
 * Where a workflow's time went, read from its history: the time in workflow tasks, and per
 * activity type the wait in the task queue (scheduled → started) and the run (started → closed).
 * This is the bench's profile of a session against the anchor: which steps a session adds and
 * what each costs.
 */
import type { Client } from '@temporalio/client';
// CommonJS: the namespace comes with the default import.
import proto from '@temporalio/proto';
import { median } from './stats.js';

type HistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;
const EventType = proto.temporal.api.enums.v1.EventType;

export interface Phases {
  /** Client time from the start call to the workflow's first event. */
  startCallMs: number;
  /** First event → close event, on the server. */
  serverMs: number;
  /** Close event → the client saw it (the WebSocket status, or the result call returning). */
  observeMs: number;
  workflowTasks: { count: number; queueMs: number; runMs: number };
  activities: Record<string, { count: number; queueMs: number; runMs: number }>;
}

/** Event time in ms with the sub-millisecond part (seconds is a Long in the decoded proto). */
function eventMs(event: HistoryEvent): number {
  const seconds = event.eventTime?.seconds;
  const whole = typeof seconds === 'number' ? seconds : (seconds?.toNumber() ?? 0);
  return whole * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
}

export function historyPhases(
  events: HistoryEvent[],
  client: { startedAt: number; observedAt: number },
): Phases {
  const first = events[0];
  const last = events.at(-1);
  if (!first || !last) throw new Error('an empty workflow history: the workflow was not found');
  const at = new Map<number, HistoryEvent>();
  for (const event of events) at.set(Number(event.eventId), event);
  const phases: Phases = {
    startCallMs: eventMs(first) - client.startedAt,
    serverMs: eventMs(last) - eventMs(first),
    observeMs: client.observedAt - eventMs(last),
    workflowTasks: { count: 0, queueMs: 0, runMs: 0 },
    activities: {},
  };
  for (const event of events) {
    switch (event.eventType) {
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        const attributes = event.workflowTaskCompletedEventAttributes;
        const scheduled = at.get(Number(attributes?.scheduledEventId));
        const started = at.get(Number(attributes?.startedEventId));
        if (!scheduled || !started) break;
        phases.workflowTasks.count += 1;
        phases.workflowTasks.queueMs += eventMs(started) - eventMs(scheduled);
        phases.workflowTasks.runMs += eventMs(event) - eventMs(started);
        break;
      }
      case EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
      case EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: {
        const attributes =
          event.activityTaskCompletedEventAttributes ??
          event.activityTaskFailedEventAttributes ??
          event.activityTaskTimedOutEventAttributes ??
          event.activityTaskCanceledEventAttributes;
        const scheduled = at.get(Number(attributes?.scheduledEventId));
        const started = at.get(Number(attributes?.startedEventId));
        const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name;
        if (!scheduled || !started || !name) break;
        const entry = (phases.activities[name] ??= { count: 0, queueMs: 0, runMs: 0 });
        entry.count += 1;
        entry.queueMs += eventMs(started) - eventMs(scheduled);
        entry.runMs += eventMs(event) - eventMs(started);
        break;
      }
      default:
        break;
    }
  }
  return phases;
}

export async function fetchPhases(
  client: Client,
  workflowId: string,
  times: { startedAt: number; observedAt: number },
): Promise<Phases> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return historyPhases(history.events ?? [], times);
}

/** The median of every phase over several workflows (same shape, medians per field). */
export function medianPhases(all: Phases[]): Phases {
  const names = [...new Set(all.flatMap((phases) => Object.keys(phases.activities)))];
  const med = (pick: (phases: Phases) => number) => median(all.map(pick));
  return {
    startCallMs: med((p) => p.startCallMs),
    serverMs: med((p) => p.serverMs),
    observeMs: med((p) => p.observeMs),
    workflowTasks: {
      count: med((p) => p.workflowTasks.count),
      queueMs: med((p) => p.workflowTasks.queueMs),
      runMs: med((p) => p.workflowTasks.runMs),
    },
    activities: Object.fromEntries(
      names.map((name) => [
        name,
        {
          count: med((p) => p.activities[name]?.count ?? 0),
          queueMs: med((p) => p.activities[name]?.queueMs ?? 0),
          runMs: med((p) => p.activities[name]?.runMs ?? 0),
        },
      ]),
    ),
  };
}

/** One line: "start call 3 ms · 5 workflow tasks 21 ms (queue 4) · prepareWorkspace 80 ms … ". */
export function describePhases(phases: Phases): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const parts = [
    `start call ${ms(phases.startCallMs)}`,
    `${phases.workflowTasks.count} workflow tasks ${ms(phases.workflowTasks.runMs)} (+ ${ms(phases.workflowTasks.queueMs)} queued)`,
    ...Object.entries(phases.activities).map(
      ([name, a]) =>
        `${a.count > 1 ? `${a.count}× ` : ''}${name} ${ms(a.runMs)} (+ ${ms(a.queueMs)} queued)`,
    ),
    `server total ${ms(phases.serverMs)}`,
    `close → client ${ms(phases.observeMs)}`,
  ];
  return parts.join(' · ');
}

/**
 * Checkpoints as GET /api/sessions/:id/checkpoints answers them: the session's chain, verified
 * twice. The hash chain (workflows/src/checkpoint.ts) shows a checkpoint altered, dropped or
 * reordered after it was chained; the history check shows a chain that was consistently made
 * up: every agent step's checkpoint must match, by digest, a `runAgentStep` result that
 * Temporal's history of the workflow that ran it holds from before the checkpoint's event.
 */
import type { Client } from '@temporalio/client';
import type { Checkpoint } from '@orchestrator/workflows/client';
import {
  digest,
  verifyCheckpointChain,
  type ChainVerification,
} from '@orchestrator/workflows/checkpoint';

/**
 * The activities whose results checkpoints digest: agent steps, merges, and conflicts resolved
 * by hand.
 */
export const STEP_ACTIVITIES = ['runAgentStep', 'mergeBranches', 'commitResolution'];
const STEP_ACTIVITY_NAMES = STEP_ACTIVITIES.join('/');

/** Histories are read per run: a session that continued as new has several. */
export function historyKey(workflowId: string, runId: string | undefined): string {
  return runId ? `${workflowId}@${runId}` : workflowId;
}

/** One completed agent step in a workflow's history. */
export interface StepCompletion {
  /** The ActivityTaskCompleted event's id. */
  eventId: number;
  /** digest() of its decoded result. */
  digest: string;
}

/** What one workflow's history holds, or why it could not be read. */
export type HistoryReading = { ok: true; steps: StepCompletion[] } | { ok: false; error: string };

/**
 * Problems the history check finds, by checkpoint seq. Anything the chain check already found
 * malformed (it has no usable fields) is not checked.
 */
export function historyProblems(
  checkpoints: readonly Checkpoint[],
  histories: ReadonlyMap<string, HistoryReading>,
): Map<number, string> {
  const problems = new Map<number, string>();
  for (const checkpoint of checkpoints) {
    if (typeof checkpoint !== 'object' || checkpoint === null) continue;
    const reading = histories.get(historyKey(checkpoint.workflowId, checkpoint.runId));
    if (!reading) {
      problems.set(checkpoint.seq, `history of ${checkpoint.workflowId} was not read`);
    } else if (!reading.ok) {
      problems.set(
        checkpoint.seq,
        `not found in workflow history: ${checkpoint.workflowId} could not be read (${reading.error})`,
      );
    } else if (
      !reading.steps.some(
        (step) => step.eventId < checkpoint.eventId && step.digest === checkpoint.resultDigest,
      )
    ) {
      problems.set(
        checkpoint.seq,
        `not found in workflow history: no ${STEP_ACTIVITY_NAMES} result of ${checkpoint.workflowId} ` +
          `before event ${checkpoint.eventId} has digest ${checkpoint.resultDigest}`,
      );
    }
  }
  return problems;
}

/** The chain's own verification with the history findings added to the links they concern. */
export function mergeVerification(
  chain: ChainVerification,
  history: ReadonlyMap<number, string>,
): ChainVerification {
  const links = chain.links.map((link) => {
    const found = history.get(link.seq);
    if (!found) return link;
    return {
      seq: link.seq,
      ok: false,
      problem: link.problem ? `${link.problem}; ${found}` : found,
    };
  });
  const firstBroken = links.find((link) => !link.ok)?.seq ?? null;
  return { verified: firstBroken === null, checked: chain.checked, links, firstBroken };
}

interface EventId {
  toNumber(): number;
}
const toNumber = (id: EventId | number | null | undefined): number =>
  typeof id === 'number' ? id : (id?.toNumber() ?? 0);

/**
 * The agent-step results of one workflow's history (its latest run: a reset run starts with
 * the history before the reset point, so earlier checkpoints stay verifiable). Reads every page
 * once; results are decoded with the client's data converter, as the workflow received them.
 */
export async function readStepCompletions(
  client: Client,
  workflowId: string,
  runId?: string,
): Promise<StepCompletion[]> {
  const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
  const scheduledSteps = new Set<number>();
  const steps: StepCompletion[] = [];
  const { payloadConverter } = client.options.loadedDataConverter;
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (STEP_ACTIVITIES.includes(scheduled?.activityType?.name ?? '')) {
      scheduledSteps.add(toNumber(event.eventId));
      continue;
    }
    const completed = event.activityTaskCompletedEventAttributes;
    if (!completed || !scheduledSteps.has(toNumber(completed.scheduledEventId))) continue;
    const payload = completed.result?.payloads?.[0];
    const result = payload ? payloadConverter.fromPayload(payload) : undefined;
    steps.push({ eventId: toNumber(event.eventId), digest: digest(result) });
  }
  return steps;
}

/** History reads at once: a wide tree must not open hundreds of streams to Temporal. */
const READ_CONCURRENCY = 8;

/**
 * Verifies a session's checkpoints: the chain, then one history read per distinct workflow
 * (the session's at `session.runId`, each task's latest run). A checkpoint naming a workflow
 * outside the session (neither its id nor one of its tasks') is reported without reading it.
 */
export async function verifyCheckpoints(
  client: Client,
  checkpoints: readonly Checkpoint[],
  session: { workflowId: string; runId: string },
): Promise<ChainVerification> {
  const chain = verifyCheckpointChain([...checkpoints]);
  const ownWorkflow = (workflowId: string) =>
    workflowId === session.workflowId || workflowId.startsWith(`${session.workflowId}.`);
  const runs = new Map<string, { workflowId: string; runId: string | undefined }>();
  for (const c of checkpoints) {
    if (typeof c !== 'object' || c === null) continue;
    runs.set(historyKey(c.workflowId, c.runId), { workflowId: c.workflowId, runId: c.runId });
  }
  const histories = new Map<string, HistoryReading>();
  const queue = [...runs.entries()];
  const read = async (): Promise<void> => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [key, { workflowId, runId: recorded }] = next;
      if (typeof workflowId !== 'string' || !ownWorkflow(workflowId)) {
        histories.set(key, {
          ok: false,
          error: `it is not ${session.workflowId} or one of its tasks`,
        });
        continue;
      }
      // Older checkpoints name no run: the session's current one, or the task's latest.
      const runId = recorded ?? (workflowId === session.workflowId ? session.runId : undefined);
      try {
        const steps = await readStepCompletions(client, workflowId, runId);
        histories.set(key, { ok: true, steps });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        histories.set(key, { ok: false, error: message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, queue.length) }, read));
  return mergeVerification(chain, historyProblems(checkpoints, histories));
}

/** The anchor of the session figures, driven as a Temporal user would: start, then await result. */
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ANCHOR_TASK_QUEUE, ANCHOR_WORKFLOW } from '../anchor/names.js';
import { nowMs } from '../core/stats.js';

export interface AnchorRun {
  workflowId: string;
  startedAt: number;
  completedAt: number;
}

const runPrefix = `anchor-${randomBytes(3).toString('hex')}`;
let runs = 0;

export async function runAnchorWorkflow(client: Client): Promise<AnchorRun> {
  runs += 1;
  const workflowId = `${runPrefix}-${runs}`;
  const startedAt = nowMs();
  const handle = await client.workflow.start(ANCHOR_WORKFLOW, {
    taskQueue: ANCHOR_TASK_QUEUE,
    workflowId,
  });
  await handle.result();
  return { workflowId, startedAt, completedAt: nowMs() };
}

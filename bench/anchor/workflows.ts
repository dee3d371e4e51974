/**
 * The anchor of the session figures: the smallest real Temporal workflow with one activity, as
 * a user of the TypeScript SDK would write it, with the SDK's defaults. The orchestrator's cost
 * is everything a session does beyond this.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities.js';

const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export async function minimal(): Promise<void> {
  await noop();
}

/**
 * The anchor worker process: the minimal workflow and its activity on their own task queue,
 * with the SDK's default worker options, in its own process like the orchestrator's worker.
 * Prints "anchor worker polling" when ready; SIGTERM shuts it down.
 */
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { installTemporalRuntime } from '@orchestrator/worker';
import * as activities from './activities.js';
import { ANCHOR_TASK_QUEUE } from './names.js';

installTemporalRuntime();
const address = process.env.TEMPORAL_ADDRESS;
if (!address) throw new Error('TEMPORAL_ADDRESS must name the Temporal frontend (host:port)');
const connection = await NativeConnection.connect({ address });
const worker = await Worker.create({
  connection,
  namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  taskQueue: ANCHOR_TASK_QUEUE,
  workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
  activities,
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => worker.shutdown());
console.log('anchor worker polling');
try {
  await worker.run();
} finally {
  await connection.close();
}

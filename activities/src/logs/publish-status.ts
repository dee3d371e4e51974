import type { PublishStatusInput } from '../contracts.js';
import type { LogBus } from './types.js';

/**
 * The `publishStatus` activity: puts a session's status change on its log stream, so live
 * viewers see it in order with the output. Temporal stays the source of truth for the status;
 * this is the notification.
 */
export function createPublishStatus(bus: LogBus) {
  return async function publishStatus(input: PublishStatusInput): Promise<void> {
    await bus.append(input.sessionId, [
      {
        kind: 'status',
        status: input.status,
        ts: Date.now(),
        ...(input.detail === undefined ? {} : { detail: input.detail }),
      },
    ]);
  };
}

import { TERMINAL_STATUSES } from '@orchestrator/workflows/types';
import type { PublishStatusInput } from '../contracts.js';
import type { LogArchive } from '../db/log-archive.js';
import { archiveBusTail } from './archive-bus-tail.js';
import type { LogBus } from './types.js';

/**
 * The `publishStatus` activity: puts a session's status change on its log stream, so live
 * viewers see it in order with the output. Temporal stays the source of truth for the status;
 * this is the notification. Before a terminal status, the archive takes any lines a killed
 * worker left on the bus only (archive-bus-tail.ts): once a session is over, its archive is
 * complete.
 */
export function createPublishStatus(bus: LogBus, archive: LogArchive) {
  return async function publishStatus(input: PublishStatusInput): Promise<void> {
    if (TERMINAL_STATUSES.includes(input.status)) {
      await archiveBusTail(bus, archive, input.sessionId);
    }
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

/**
 * The log writer appends a batch to the bus, then archives it under the ids the bus gave. A
 * worker killed between the two leaves the batch live (clients saw it) but never archived. What
 * follows the newest archived line on the bus is exactly that tail, as long as nothing newer was
 * archived since: so the next attempt of the step archives it before it writes anything, and the
 * terminal status does for a session that ends without another attempt (found by the chaos run,
 * bench/chaos).
 */
import type { LogArchive } from '../db/log-archive.js';
import type { LogBus } from './types.js';

/** Archives the log lines on the bus after the newest archived one; returns how many. */
export async function archiveBusTail(
  bus: LogBus,
  archive: LogArchive,
  sessionId: string,
): Promise<number> {
  const last = await archive.lastId(sessionId);
  const tail = await bus.read(sessionId, last === null ? {} : { after: last });
  const lines = tail.filter((entry) => entry.kind === 'log');
  if (lines.length > 0) await archive.insert(sessionId, lines);
  return lines.length;
}

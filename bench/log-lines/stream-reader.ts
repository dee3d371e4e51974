/**
 * The consumer of the log anchor: XREAD BLOCK on its own connection from the start of a stream,
 * COUNT 1000 per read like the gateway's subscriber, each line to a callback with its arrival time.
 */
import { Redis } from 'ioredis';
import { nowMs } from '../core/stats.js';

export function readStream(
  redisUrl: string,
  key: string,
  onLine: (line: string, receivedAt: number) => void,
): { stop(): Promise<void> } {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  let active = true;
  const loop = (async () => {
    let cursor = '0-0';
    while (active) {
      const reply = await redis.xread('COUNT', 1000, 'BLOCK', 200, 'STREAMS', key, cursor);
      const receivedAt = nowMs();
      for (const [, items] of reply ?? []) {
        for (const [id, fields] of items) {
          cursor = id;
          const index = fields.indexOf('line');
          if (index >= 0) onLine(fields[index + 1] ?? '', receivedAt);
        }
      }
    }
  })();
  return {
    stop: async () => {
      active = false;
      await loop;
      redis.disconnect();
    },
  };
}

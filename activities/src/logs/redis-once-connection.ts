/**
 * A Redis connection for writes that must not happen twice. After a reconnect, ioredis re-sends
 * the commands whose replies the broken connection swallowed: a transaction that had already
 * run (Redis restarting right after it) runs again, and a log batch lands twice. This
 * connection never re-sends and never queues: it waits until it is connected, sends, and fails
 * with ReplyLostError when the connection closes before the reply, so the caller can find out
 * whether the write landed.
 */
import type { ChainableCommander, Redis } from 'ioredis';

/** The connection closed after the transaction was sent and before its reply came. */
export class ReplyLostError extends Error {
  override name = 'ReplyLostError';
}

export type TransactionResults = Array<[error: Error | null, result: unknown]>;

export interface OnceConnection {
  /** Runs the transaction that `build` queues; ReplyLostError when its outcome is unknown. */
  exec(build: (multi: ChainableCommander) => void): Promise<TransactionResults>;
  close(): Promise<void>;
}

export interface OnceConnectionOptions {
  connectionName: string;
  /** How long a write waits for the connection to come back. */
  readyTimeoutMs?: number;
  onError?: (error: Error) => void;
}

export function createOnceConnection(
  template: Redis,
  options: OnceConnectionOptions,
): OnceConnection {
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  const connection = template.duplicate({
    connectionName: options.connectionName,
    autoResendUnfulfilledCommands: false,
    // Only ever send while connected: a write queued offline could still go out after its
    // caller was told it failed, and be written again by the caller's retry.
    enableOfflineQueue: false,
  });
  connection.on('error', (error: Error) => options.onError?.(error));
  // Without re-sending, ioredis neither answers nor fails what was in flight when the
  // connection closed: those writes are failed here.
  const inFlight = new Set<(error: Error) => void>();
  connection.on('close', () => {
    for (const fail of [...inFlight]) {
      fail(new ReplyLostError('The Redis connection closed before the write was confirmed'));
    }
  });

  async function connected(): Promise<void> {
    if (connection.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        connection.off('ready', onReady);
        reject(
          new Error(
            `Redis (${options.connectionName}) is not connected after ${readyTimeoutMs / 1000} s; ` +
              'check that Redis is up and REDIS_URL points at it.',
          ),
        );
      }, readyTimeoutMs);
      timer.unref();
      connection.once('ready', onReady);
    });
  }

  return {
    async exec(build) {
      await connected();
      const multi = connection.multi();
      build(multi);
      let fail!: (error: Error) => void;
      const lost = new Promise<never>((_, reject) => (fail = reject));
      inFlight.add(fail);
      try {
        const results = await Promise.race([multi.exec(), lost]);
        if (!results) throw new Error('Redis aborted the transaction (EXEC returned nothing)');
        return results;
      } finally {
        inFlight.delete(fail);
      }
    },
    async close() {
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

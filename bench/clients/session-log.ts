/**
 * Watching one session's log on /ws until a condition over what arrived holds: the shape of
 * "wait for the first tick", "wait for the step to start again".
 */
import type { GatewaySocket, LogMessage, StatusMessage } from './gateway-socket.js';

export class SessionLog {
  readonly logs: LogMessage[] = [];
  readonly statuses: StatusMessage[] = [];
  private readonly wakers = new Set<() => void>();
  private failure: Error | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    socket: GatewaySocket,
    readonly sessionId: string,
  ) {
    const wake = () => {
      for (const waker of this.wakers) waker();
    };
    this.unsubscribe = socket.watch(sessionId, {
      onLog: (message) => {
        this.logs.push(message);
        wake();
      },
      onStatus: (message) => {
        this.statuses.push(message);
        wake();
      },
      onError: (error) => {
        this.failure = error;
        wake();
      },
    });
  }

  /** Resolves once `check` is true of what arrived; rejects after `timeoutMs` or on an error. */
  until(what: string, check: (log: SessionLog) => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (outcome: () => void) => {
        clearTimeout(timer);
        this.wakers.delete(test);
        outcome();
      };
      const test = () => {
        if (this.failure) done(() => reject(this.failure));
        else if (check(this)) done(resolve);
      };
      const timer = setTimeout(
        () =>
          done(() =>
            reject(
              new Error(
                `session ${this.sessionId}: no ${what} within ${timeoutMs / 1000} s; last lines: ` +
                  JSON.stringify(this.logs.slice(-3).map((m) => m.line)),
              ),
            ),
          ),
        timeoutMs,
      );
      this.wakers.add(test);
      test();
    });
  }

  close(): void {
    this.unsubscribe();
  }
}

/**
 * Sessions as an API user drives them: POST /api/sessions, then watch the session on /ws until
 * it reaches the status wanted. Times are taken here, on the client, where a user would see them.
 */
import { nowMs } from '../core/stats.js';
import type { BenchStack } from '../stack/bench-stack.js';
import type { GatewaySocket, LogMessage, StatusMessage } from './gateway-socket.js';

export interface StartedSession {
  id: string;
  /** Client time just before the POST was sent. */
  postedAt: number;
}

export async function startSession(
  stack: BenchStack,
  agent: string,
  goal: string,
  title = `bench ${agent}`,
  /** More fields of the POST body (plan, approvals, budget). */
  extra: Record<string, unknown> = {},
): Promise<StartedSession> {
  const postedAt = nowMs();
  const response = await stack.api('/api/sessions', {
    method: 'POST',
    json: { title, goal, repository: stack.sampleRepository, agent, ...extra },
  });
  if (response.status !== 201) {
    throw new Error(
      `POST /api/sessions answered ${response.status} (expected 201): ${await response.text()}`,
    );
  }
  const { id } = (await response.json()) as { id: string };
  return { id, postedAt };
}

export interface WaitOptions {
  /** Status that ends the wait (default completed). */
  until?: StatusMessage['status'];
  timeoutMs?: number;
  onLog?(message: LogMessage, receivedAt: number): void;
}

/** Resolves with the client time the wanted status arrived; rejects on another terminal one. */
export function waitForStatus(
  socket: GatewaySocket,
  sessionId: string,
  options: WaitOptions = {},
): Promise<number> {
  const until = options.until ?? 'completed';
  const timeoutMs = options.timeoutMs ?? 180_000;
  return new Promise<number>((resolve, reject) => {
    let unsubscribe = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`session ${sessionId} did not reach ${until} within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const finish = (outcome: () => void) => {
      clearTimeout(timer);
      unsubscribe();
      outcome();
    };
    unsubscribe = socket.watch(sessionId, {
      ...(options.onLog ? { onLog: options.onLog } : {}),
      onStatus: (message, receivedAt) => {
        if (message.status === until) finish(() => resolve(receivedAt));
        else if (['completed', 'failed', 'cancelled'].includes(message.status)) {
          finish(() =>
            reject(
              new Error(
                `session ${sessionId} ended ${message.status} while the bench waited for ${until}` +
                  (message.detail ? `: ${message.detail}` : ''),
              ),
            ),
          );
        }
      },
      onError: (error) => finish(() => reject(error)),
    });
  });
}

export interface CompletedSession extends StartedSession {
  completedAt: number;
}

/** One session from POST to the `completed` status on the WebSocket. */
export async function runSession(
  stack: BenchStack,
  socket: GatewaySocket,
  agent: string,
  goal: string,
): Promise<CompletedSession> {
  const started = await startSession(stack, agent, goal);
  const completedAt = await waitForStatus(socket, started.id);
  return { ...started, completedAt };
}

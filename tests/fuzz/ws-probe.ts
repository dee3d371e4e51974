/**
 * A WebSocket client for the fuzzer: sends any frame (text, binary, oversized), keeps every
 * answer, notices how the socket closed, and waits with a deadline so a socket that stops
 * answering is reported as hung instead of stalling the run.
 */
import { once } from 'node:events';
import WebSocket from 'ws';

export interface Answer {
  type?: unknown;
  code?: unknown;
  sessionId?: unknown;
  [key: string]: unknown;
}

/** Answers to client frames; `log` and `status` entries are data, not answers. */
export const isReply = (answer: Answer) => answer.type !== 'log' && answer.type !== 'status';

export class WsProbe {
  readonly answers: Answer[] = [];
  closed: { code: number; reason: string } | null = null;
  private wake: (() => void) | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      let answer: Answer;
      try {
        answer = JSON.parse(data.toString('utf8')) as Answer;
      } catch {
        answer = { type: '(not JSON)', raw: data.toString('utf8').slice(0, 200), isBinary };
      }
      this.answers.push(answer);
      this.wake?.();
    });
    socket.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
      this.wake?.();
    });
    // Errors end in 'close'; without a listener ws would throw them.
    socket.on('error', () => undefined);
  }

  static open(url: string, timeoutMs = 10_000): Promise<WsProbe> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`WebSocket ${url} did not open within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new WsProbe(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  send(data: string | Buffer, binary = false): void {
    this.socket.send(data, { binary });
  }

  replies(): Answer[] {
    return this.answers.filter(isReply);
  }

  /** Waits until `done()` holds or the socket closed; throws (hung) after `timeoutMs`. */
  async until(done: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done() && !this.closed) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `hung socket: no ${what} within ${timeoutMs} ms; last answers ` +
            JSON.stringify(this.answers.slice(-5)).slice(0, 600),
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const closing = once(this.socket, 'close');
    this.socket.close();
    await closing;
  }
}

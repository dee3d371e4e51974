import WebSocket from 'ws';

export interface WsMessage {
  type: string;
  [key: string]: unknown;
}

/** A small test client for /ws: collects every message and waits for the ones a test needs. */
export class TestSocket {
  readonly messages: WsMessage[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as WsMessage);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** `options` as for ws' client (e.g. `{ origin }`, which browsers always send). */
  static open(url: string, options?: WebSocket.ClientOptions): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      socket.once('open', () => resolve(new TestSocket(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) =>
        reject(new Error(`upgrade rejected with HTTP ${res.statusCode}`)),
      );
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Waits until a message satisfies `predicate` (checking those already received first). */
  async waitFor(predicate: (m: WsMessage) => boolean, timeoutMs = 30_000): Promise<WsMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no matching WebSocket message in ${timeoutMs} ms; got: ${JSON.stringify(this.messages.slice(-5))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

export const isLog = (m: WsMessage) => m.type === 'log';
export const isStatus = (status: string) => (m: WsMessage) =>
  m.type === 'status' && m.status === status;

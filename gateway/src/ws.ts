/**
 * WebSocket endpoint /ws: live logs and status events per session, resumable by entry id.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { BusEntry, LogBus } from '@orchestrator/activities/logs/types';
import { tokenFromUpgrade, type TokenVerifier } from './auth.js';
import { ClientMessageSchema, type ServerMessage } from './ws-messages.js';
import type { SessionService } from './sessions/service.js';
import { deriveStatus } from './sessions/status.js';
import { HttpProblem } from './problem.js';
import type { GatewayMetrics } from './metrics.js';

export interface WsOptions {
  server: Server;
  bus: LogBus;
  sessions: SessionService;
  tokens: TokenVerifier | null;
  logger: Logger;
  metrics: GatewayMetrics;
}

/** A socket that cannot keep up this far behind is closed rather than buffering without bound. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
const MAX_FRAME_BYTES = 64 * 1024;

export function toServerMessage(entry: BusEntry): ServerMessage {
  if (entry.kind === 'log') {
    return {
      type: 'log',
      sessionId: entry.sessionId,
      id: entry.id,
      stream: entry.stream,
      line: entry.line,
      ts: entry.ts,
    };
  }
  return {
    type: 'status',
    sessionId: entry.sessionId,
    id: entry.id,
    status: entry.status,
    ...(entry.detail ? { detail: entry.detail } : {}),
    ts: entry.ts,
  };
}

export function attachWebSocket(options: WsOptions): { close(): Promise<void> } {
  const { logger, metrics } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://gateway');
    if (url.pathname !== '/ws') {
      socket.destroy();
      return;
    }
    void authorize(request).then((allowed) => {
      if (!allowed) {
        socket.end(
          'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n' +
            JSON.stringify({
              type: 'https://industrial-orchestrator.dev/problems/unauthorized',
              title: 'Unauthorized',
              status: 401,
              detail: 'This gateway requires an API token: pass ?token=<token> on /ws.',
            }),
        );
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    });
  };

  async function authorize(request: IncomingMessage): Promise<boolean> {
    if (!options.tokens) return true;
    const token = tokenFromUpgrade(request);
    if (!token) return false;
    try {
      return (await options.tokens.verify(token)) !== null;
    } catch (error) {
      logger.error({ err: error }, 'token verification failed');
      return false;
    }
  }

  wss.on('connection', (ws: WebSocket) => {
    metrics.wsConnections.inc();
    const subscriptions = new Map<string, () => void>();
    const send = (message: ServerMessage) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.close(1013, 'Client too slow; reconnect and resume from the last id');
        return;
      }
      metrics.wsMessages.inc({ direction: 'out' });
      ws.send(JSON.stringify(message));
    };

    ws.on('message', (data, isBinary) => {
      metrics.wsMessages.inc({ direction: 'in' });
      void handle(data.toString(), isBinary);
    });

    async function handle(text: string, isBinary: boolean): Promise<void> {
      let raw: unknown;
      try {
        if (isBinary) throw new Error('binary frame');
        raw = JSON.parse(text);
      } catch {
        send({ type: 'error', code: 'bad_message', message: 'Frames must be JSON text.' });
        return;
      }
      const parsed = ClientMessageSchema.safeParse(raw);
      if (!parsed.success) {
        const where = parsed.error.issues.map((i) => i.path.join('.') || 'type').join(', ');
        send({
          type: 'error',
          code: 'bad_message',
          message: `Invalid message (${where}): expected {type:"subscribe",sessionId,after?}, {type:"unsubscribe",sessionId} or {type:"ping"}.`,
        });
        return;
      }
      const message = parsed.data;
      if (message.type === 'ping') {
        send({ type: 'pong' });
        return;
      }
      if (message.type === 'unsubscribe') {
        subscriptions.get(message.sessionId)?.();
        subscriptions.delete(message.sessionId);
        send({ type: 'unsubscribed', sessionId: message.sessionId });
        return;
      }
      const { sessionId, after } = message;
      try {
        const info = await options.sessions.describe(sessionId);
        subscriptions.get(sessionId)?.();
        send({ type: 'subscribed', sessionId, status: deriveStatus(info) });
        const unsubscribe = options.bus.subscribe(sessionId, after, (entry) =>
          send(toServerMessage(entry)),
        );
        subscriptions.set(sessionId, unsubscribe);
      } catch (error) {
        if (error instanceof HttpProblem && error.status === 404) {
          send({ type: 'error', code: 'not_found', sessionId, message: error.detail });
          return;
        }
        logger.error({ err: error, sessionId }, 'subscribe failed');
        send({
          type: 'error',
          code: 'internal',
          sessionId,
          message: 'Subscription failed; retry.',
        });
      }
    }

    ws.on('close', () => {
      metrics.wsConnections.dec();
      for (const unsubscribe of subscriptions.values()) unsubscribe();
      subscriptions.clear();
    });
    ws.on('error', (error) => logger.warn({ err: error }, 'websocket error'));
  });

  options.server.on('upgrade', onUpgrade);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        options.server.off('upgrade', onUpgrade);
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

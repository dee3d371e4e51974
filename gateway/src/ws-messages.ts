/**
 * The WebSocket protocol on /ws, in one place (documented in gateway/README.md). Frames are JSON
 * text. A client subscribes to a session with the last id it saw and receives everything after
 * it (backlog), then live entries, each once and in order.
 */
import { z } from 'zod';
import type { SessionStatus } from '@orchestrator/workflows/types';
import { EntryIdSchema, SessionIdSchema } from './schemas.js';

export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('subscribe'),
    sessionId: SessionIdSchema,
    after: EntryIdSchema.optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), sessionId: SessionIdSchema }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export type ServerMessage =
  | { type: 'subscribed'; sessionId: string; status: SessionStatus }
  | {
      type: 'log';
      sessionId: string;
      id: string;
      stream: 'stdout' | 'stderr' | 'system';
      line: string;
      ts: number;
    }
  | {
      type: 'status';
      sessionId: string;
      id: string;
      status: SessionStatus;
      detail?: string;
      ts: number;
    }
  | { type: 'unsubscribed'; sessionId: string }
  | { type: 'error'; code: WsErrorCode; message: string; sessionId?: string }
  | { type: 'pong' };

export type WsErrorCode = 'bad_message' | 'not_found' | 'internal';

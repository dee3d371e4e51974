/**
 * Frames a client might send on /ws, each with the one reply the protocol (gateway/README.md)
 * promises for it: `pong`, an `error` with a code, `subscribed` or `unsubscribed`. Log and status
 * entries that follow a subscription are data, not replies.
 */
import fc from 'fast-check';
import { anyJson, anyText, isNotJson, nastyString } from './nasty-values.js';
import type { Answer } from './ws-probe.js';

export type Expected =
  | { type: 'pong' }
  | { type: 'error'; code: 'bad_message' | 'not_found'; sessionId?: string }
  | { type: 'subscribed'; sessionId: string }
  | { type: 'unsubscribed'; sessionId: string }
  /** A random JSON value: some reply, but not a failure of the gateway. */
  | { type: 'any' };

export interface Frame {
  data: string | Buffer;
  binary: boolean;
  expect: Expected;
}

export interface FrameContext {
  /** Sessions that exist. */
  sessions: string[];
  /** Entry ids that exist in the first session's stream. */
  entryIds: string[];
}

const SESSION_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const text = (value: unknown): Pick<Frame, 'data' | 'binary'> => ({
  data: JSON.stringify(value) ?? 'null',
  binary: false,
});
const badMessage: Expected = { type: 'error', code: 'bad_message' };

/** `<ms>-<seq>` ids whose numbers are exact in JavaScript (what the gateway can resume from). */
const safeEntryId = fc
  .tuple(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: 2 ** 31 - 1 }))
  .map(([ms, seq]) => `${ms}-${seq}`);

/** Ids of the right shape but beyond any real stream id (no Redis or archive id is this big). */
const outOfRangeEntryId = fc.oneof(
  fc
    .bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 2n, max: 10n ** 20n - 1n })
    .map((ms) => `${ms}-0`),
  fc.bigInt({ min: 2n ** 31n, max: 10n ** 10n - 1n }).map((seq) => `1-${seq}`),
);

export function frameArbitrary(context: FrameContext): fc.Arbitrary<Frame> {
  const known = fc.constantFrom(...context.sessions);
  const unknown = fc
    .stringMatching(SESSION_ID)
    .map((id) => `zz-${id}`.slice(0, 64))
    .filter((id) => SESSION_ID.test(id) && !context.sessions.includes(id));
  const validId = fc.oneof(known, unknown);
  const invalidId = fc.oneof(
    anyText.filter((s) => !SESSION_ID.test(s)),
    fc.constantFrom<unknown>(null, 42, true, [], {}, ['a']),
  );
  const after = fc.oneof(fc.constant(undefined), fc.constantFrom(...context.entryIds), safeEntryId);
  const invalidAfter = fc.oneof(
    anyText.filter((s) => !/^\d{1,20}-\d{1,10}$/.test(s)),
    fc.constantFrom<unknown>(0, null, [], '1-', '-1-0', ' 1-0'),
  );

  const frames: Array<{ weight: number; arbitrary: fc.Arbitrary<Frame> }> = [
    { weight: 3, arbitrary: fc.constant({ ...text({ type: 'ping' }), expect: { type: 'pong' } }) },
    {
      weight: 4,
      arbitrary: fc.tuple(known, after).map(([sessionId, a]) => ({
        ...text({ type: 'subscribe', sessionId, ...(a === undefined ? {} : { after: a }) }),
        expect: { type: 'subscribed', sessionId },
      })),
    },
    {
      weight: 2,
      arbitrary: unknown.map((sessionId) => ({
        ...text({ type: 'subscribe', sessionId }),
        expect: { type: 'error', code: 'not_found', sessionId },
      })),
    },
    {
      weight: 3,
      arbitrary: validId.map((sessionId) => ({
        ...text({ type: 'unsubscribe', sessionId }),
        expect: { type: 'unsubscribed', sessionId },
      })),
    },
    // Wrong shapes: every one is a bad_message, and the socket stays open.
    {
      weight: 2,
      arbitrary: anyText
        .filter(isNotJson)
        .map((data) => ({ data, binary: false, expect: badMessage })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.jsonValue({ maxDepth: 2 }), nastyString)
        .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
        .map((v) => ({ ...text(v), expect: badMessage })),
    },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.record({
            type: nastyString.filter((t) => !['ping', 'subscribe', 'unsubscribe'].includes(t)),
          }),
          fc.record({ type: fc.constantFrom('subscribe', 'unsubscribe'), sessionId: invalidId }),
          fc.record({ type: fc.constantFrom('subscribe', 'unsubscribe') }),
          fc.record({ type: fc.constant('subscribe'), sessionId: validId, after: invalidAfter }),
          fc.record({ type: fc.constant('subscribe'), sessionId: known, after: outOfRangeEntryId }),
          fc.record({ type: fc.constantFrom<unknown>(1, null, ['ping'], { ping: 1 }) }),
          fc.constant(JSON.parse('{"__proto__":{"type":"ping"}}') as unknown),
        )
        .map((v) => ({ ...text(v), expect: badMessage })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
          fc.constant(Buffer.from(JSON.stringify({ type: 'ping' }))),
        )
        .map((data) => ({ data, binary: true, expect: badMessage })),
    },
    { weight: 1, arbitrary: anyJson.map((v) => ({ ...text(v), expect: { type: 'any' } })) },
  ];
  return fc.oneof(...frames);
}

/** Why `reply` is not what `expected` promised, or null when it is. */
export function replyMismatch(expected: Expected, reply: Answer | undefined): string | null {
  if (!reply) return `no reply (expected ${JSON.stringify(expected)})`;
  if (reply.type === 'error' && reply.code === 'internal') {
    return `an internal error for client input: ${JSON.stringify(reply)}`;
  }
  if (expected.type === 'any') {
    return ['pong', 'error', 'subscribed', 'unsubscribed'].includes(String(reply.type))
      ? null
      : `an unknown reply ${JSON.stringify(reply)}`;
  }
  for (const [key, value] of Object.entries(expected)) {
    if (reply[key] !== value) {
      return `expected ${JSON.stringify(expected)}, got ${JSON.stringify(reply).slice(0, 300)}`;
    }
  }
  if (reply.type === 'error' && (typeof reply.message !== 'string' || reply.message === '')) {
    return `an error without a message: ${JSON.stringify(reply)}`;
  }
  return null;
}

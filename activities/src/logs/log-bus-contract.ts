/**
 * The behaviour every LogBus must have, as one suite run against each implementation (the
 * in-process bus and Redis), so the embedded mode and production cannot drift apart.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../testing/processes.js';
import { compareEntryIds } from './entry-id.js';
import type { BusEntry, LogBus, LogEntryInput } from './types.js';

export interface LogBusFixture {
  bus: LogBus;
  /** Subscriber connections currently open (Redis), or null where there are none. */
  openSubscriptions(): Promise<number | null>;
  close(): Promise<void>;
}

const line = (text: string, stream: LogEntryInput['stream'] = 'stdout'): LogEntryInput => ({
  kind: 'log',
  stream,
  line: text,
  ts: Date.now(),
});

const lines = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => line(`${prefix} ${i}`));

const texts = (entries: BusEntry[]) => entries.map((e) => (e.kind === 'log' ? e.line : e.status));

const sessionId = () => `s${randomBytes(5).toString('hex')}`;

export function describeLogBus(name: string, open: () => Promise<LogBusFixture>): void {
  describe(`${name} log bus`, () => {
    let fixture: LogBusFixture;
    let bus: LogBus;
    beforeAll(async () => {
      fixture = await open();
      bus = fixture.bus;
    });
    afterAll(async () => fixture?.close());

    it('appends in order, returns increasing ids and reads entries back with their fields', async () => {
      const id = sessionId();
      const ids = await bus.append(id, [
        line('first'),
        line('second', 'stderr'),
        { kind: 'status', status: 'running', detail: 'step 1', ts: 1700000000000 },
        { kind: 'status', status: 'completed', ts: 1700000000001 },
      ]);
      expect(ids).toHaveLength(4);
      expect([...ids].sort(compareEntryIds)).toEqual(ids);
      expect(new Set(ids).size).toBe(4);
      const read = await bus.read(id);
      expect(read.map((e) => e.id)).toEqual(ids);
      expect(read[0]).toMatchObject({
        kind: 'log',
        stream: 'stdout',
        line: 'first',
        sessionId: id,
      });
      expect(read[1]).toMatchObject({ kind: 'log', stream: 'stderr', line: 'second' });
      expect(read[2]).toEqual({
        id: ids[2],
        sessionId: id,
        kind: 'status',
        status: 'running',
        detail: 'step 1',
        ts: 1700000000000,
      });
      expect(read[3]).toEqual({
        id: ids[3],
        sessionId: id,
        kind: 'status',
        status: 'completed',
        ts: 1700000000001,
      });
    });

    it('keeps ids strictly increasing within one millisecond and across appends', async () => {
      const id = sessionId();
      const ids: string[] = [];
      for (let i = 0; i < 20; i += 1) ids.push(...(await bus.append(id, lines(`b${i}`, 50))));
      expect(ids).toHaveLength(1000);
      for (let i = 1; i < ids.length; i += 1) {
        expect(compareEntryIds(ids[i - 1]!, ids[i]!)).toBeLessThan(0);
      }
    });

    it('reads after an id exclusively, with a limit, and nothing for unknown sessions', async () => {
      const id = sessionId();
      const ids = await bus.append(id, lines('r', 10));
      expect(texts(await bus.read(id, { after: ids[3]! }))).toEqual([
        'r 4',
        'r 5',
        'r 6',
        'r 7',
        'r 8',
        'r 9',
      ]);
      expect(texts(await bus.read(id, { after: ids[3]!, limit: 2 }))).toEqual(['r 4', 'r 5']);
      expect(await bus.read(id, { after: ids[9]! })).toEqual([]);
      expect(await bus.read(sessionId())).toEqual([]);
    });

    it('keeps sessions apart', async () => {
      const a = sessionId();
      const b = sessionId();
      await bus.append(a, [line('for a')]);
      await bus.append(b, [line('for b')]);
      expect(texts(await bus.read(a))).toEqual(['for a']);
      expect(texts(await bus.read(b))).toEqual(['for b']);
    });

    it('rejects an id that is not <ms>-<seq>', async () => {
      await expect(bus.read(sessionId(), { after: 'nope' })).rejects.toThrow(
        /<milliseconds>-<sequence>/,
      );
    });

    it('delivers the backlog, then live entries, in order', async () => {
      const id = sessionId();
      await bus.append(id, lines('old', 3));
      const seen: BusEntry[] = [];
      const stop = bus.subscribe(id, undefined, (entry) => seen.push(entry));
      try {
        await waitFor(() => seen.length === 3, 5000, 'the backlog');
        await bus.append(id, lines('new', 2));
        await waitFor(() => seen.length === 5, 5000, 'live entries');
        expect(texts(seen)).toEqual(['old 0', 'old 1', 'old 2', 'new 0', 'new 1']);
      } finally {
        stop();
      }
    });

    it('resumes after an id with no gap and no duplicate while entries are being appended', async () => {
      const id = sessionId();
      const total = 600;
      let appended = 0;
      const producer = (async () => {
        while (appended < total) {
          await bus.append(
            id,
            lines('c', 20).map((e, i) => ({ ...e, line: `c ${appended + i}` })),
          );
          appended += 20;
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      })();
      // Join mid-stream, as a reconnecting client does: read a prefix, then resume after it.
      await waitFor(() => appended >= 100, 10_000, 'the producer to get going');
      const prefix = await bus.read(id, { limit: 57 });
      const resumeAfter = prefix[prefix.length - 1]!.id;
      const seen: BusEntry[] = [];
      const stop = bus.subscribe(id, resumeAfter, (entry) => seen.push(entry));
      try {
        await producer;
        await waitFor(() => seen.length >= total - 57, 10_000, 'every entry after the resume id');
        await new Promise((resolve) => setTimeout(resolve, 100)); // room for a stray duplicate
        const combined = [...texts(prefix), ...texts(seen)];
        expect(combined).toEqual(Array.from({ length: total }, (_, i) => `c ${i}`));
        expect(seen.map((e) => e.id)).toEqual(
          (await bus.read(id, { after: resumeAfter })).map((e) => e.id),
        );
      } finally {
        stop();
      }
    });

    it('stops delivering (and releases its connection) once unsubscribed', async () => {
      const id = sessionId();
      const tracksConnections = (await fixture.openSubscriptions()) !== null;
      // Earlier tests' subscriptions were stopped; let their connections finish closing.
      if (tracksConnections) {
        await waitFor(async () => (await fixture.openSubscriptions()) === 0, 3000, 'a clean slate');
      }
      const seen: BusEntry[] = [];
      const stop = bus.subscribe(id, undefined, (entry) => seen.push(entry));
      await bus.append(id, [line('one')]);
      await waitFor(() => seen.length === 1, 5000, 'the first entry');
      if (tracksConnections) expect(await fixture.openSubscriptions()).toBe(1);
      const stoppedAt = Date.now();
      stop();
      await bus.append(id, [line('two'), line('three')]);
      if (tracksConnections) {
        await waitFor(async () => (await fixture.openSubscriptions()) === 0, 3000, 'the release');
        expect(Date.now() - stoppedAt).toBeLessThan(1000);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(texts(seen)).toEqual(['one']);
    });

    it('does not let a throwing subscriber stop delivery to itself or others', async () => {
      const id = sessionId();
      const good: BusEntry[] = [];
      let calls = 0;
      const stopBad = bus.subscribe(id, undefined, () => {
        calls += 1;
        throw new Error('subscriber bug');
      });
      const stopGood = bus.subscribe(id, undefined, (entry) => good.push(entry));
      try {
        await bus.append(id, lines('x', 3));
        await waitFor(() => good.length === 3 && calls === 3, 5000, 'both subscribers');
      } finally {
        stopBad();
        stopGood();
      }
    });

    it('answers ping', async () => {
      await expect(bus.ping()).resolves.toBeUndefined();
    });
  });
}

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../db/connect.js';
import { createLogArchive, type LogArchive } from '../db/log-archive.js';
import { migrate } from '../db/migrations/migrate.js';
import { createTestDatabase, type TestDatabase } from '../testing/services.js';
import { waitFor } from '../testing/processes.js';
import { createLogWriter } from './log-writer.js';
import { createMemoryLogBus } from './memory-bus.js';
import { archiveBusTail } from './archive-bus-tail.js';
import { createPublishStatus } from './publish-status.js';
import type { LogBus, LogEntryInput } from './types.js';

let testDb: TestDatabase;
let database: OpenedDatabase;
let archive: LogArchive;
const silent = pino({ level: 'silent' });

beforeAll(async () => {
  testDb = await createTestDatabase();
  database = await openDatabase({ databaseUrl: testDb.url });
  await migrate(database.db);
  archive = createLogArchive(database.db);
});
afterAll(async () => {
  await database?.close();
  await testDb?.drop();
});

let counter = 0;
const session = () => `writer${Date.now().toString(36)}${counter++}`;

describe('log writer', () => {
  it('ships lines in order, in batches, to the bus and then the archive under the same ids', async () => {
    const bus = createMemoryLogBus();
    const sessionId = session();
    const appends: number[] = [];
    const counting: LogBus = {
      ...bus,
      append: (id, entries) => {
        appends.push(entries.length);
        return bus.append(id, entries);
      },
    };
    const writer = createLogWriter({ bus: counting, archive, sessionId, maxBatchLines: 200 });
    for (let i = 0; i < 450; i += 1) writer.write(i % 3 === 0 ? 'stderr' : 'stdout', `line ${i}`);
    await writer.flush();

    const onBus = await bus.read(sessionId);
    expect(onBus.map((e) => (e.kind === 'log' ? e.line : ''))).toEqual(
      Array.from({ length: 450 }, (_, i) => `line ${i}`),
    );
    expect(appends).toEqual([200, 200, 50]);
    const archived = await archive.list(sessionId, { limit: 1000 });
    expect(archived.map((l) => l.id)).toEqual(onBus.map((e) => e.id));
    expect(archived[0]).toMatchObject({ stream: 'stderr', line: 'line 0' });
    expect(writer.stats()).toEqual({ written: 450, lostOnBus: 0, lostInArchive: 0 });
  });

  it('flushes a quiet writer on its own after a short timer', async () => {
    const bus = createMemoryLogBus();
    const sessionId = session();
    const writer = createLogWriter({ bus, archive, sessionId });
    writer.write('system', 'alone');
    expect(await bus.read(sessionId)).toEqual([]);
    await waitFor(async () => (await bus.read(sessionId)).length === 1, 2000, 'the timed flush');
    await writer.flush();
    expect(await archive.list(sessionId, { limit: 10 })).toHaveLength(1);
  });

  it('collects the lines written while an append is in flight into the next append', async () => {
    const bus = createMemoryLogBus();
    const sessionId = session();
    const appends: string[][] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow: LogBus = {
      ...bus,
      append: async (id, entries) => {
        appends.push(entries.map((e) => (e.kind === 'log' ? e.line : '')));
        if (appends.length === 1) await held;
        return bus.append(id, entries);
      },
    };
    const writer = createLogWriter({ bus: slow, archive, sessionId });
    writer.write('stdout', 'first');
    await waitFor(async () => appends.length === 1, 2000, 'the first append');
    for (const text of ['second', 'third', 'fourth']) writer.write('stdout', text);
    release();
    await writer.flush();
    expect(appends).toEqual([['first'], ['second', 'third', 'fourth']]);
    expect(await archivedLines(sessionId)).toEqual(['first', 'second', 'third', 'fourth']);
  });

  it('puts lines on the bus while the archive is still behind, and archives them in order', async () => {
    const bus = createMemoryLogBus();
    const sessionId = session();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slowArchive: LogArchive = {
      ...archive,
      insert: async (id, entries) => {
        await held;
        return archive.insert(id, entries);
      },
    };
    const writer = createLogWriter({ bus, archive: slowArchive, sessionId, maxBatchLines: 2 });
    for (let i = 0; i < 7; i += 1) writer.write('stdout', `line ${i}`);
    await waitFor(async () => (await bus.read(sessionId)).length === 7, 2000, 'all on the bus');
    expect(await archivedLines(sessionId)).toEqual([]);
    release();
    await writer.flush();
    const onBus = await bus.read(sessionId);
    const archived = await archive.list(sessionId, { limit: 100 });
    expect(archived.map((l) => l.id)).toEqual(onBus.map((e) => e.id));
    expect(archived.map((l) => l.line)).toEqual(Array.from({ length: 7 }, (_, i) => `line ${i}`));
  });

  it('truncates very long lines with a marker instead of dropping them', async () => {
    const bus = createMemoryLogBus();
    const sessionId = session();
    const writer = createLogWriter({ bus, archive, sessionId });
    writer.write('stdout', 'y'.repeat(20_000));
    await writer.flush();
    const [archived] = await archive.list(sessionId, { limit: 10 });
    expect(archived?.line).toMatch(/^y{16384} … \[truncated 3616 characters\]$/);
  });

  it('retries a failing bus and keeps order', async () => {
    const bus = createMemoryLogBus();
    const sessionId = session();
    let failures = 2;
    const flaky: LogBus = {
      ...bus,
      append: async (id, entries) => {
        if (failures-- > 0) throw new Error('connection reset');
        return bus.append(id, entries);
      },
    };
    const writer = createLogWriter({ bus: flaky, archive, sessionId, logger: silent });
    writer.write('stdout', 'a');
    writer.write('stdout', 'b');
    await writer.flush();
    expect((await bus.read(sessionId)).map((e) => (e.kind === 'log' ? e.line : ''))).toEqual([
      'a',
      'b',
    ]);
    expect(await archive.list(sessionId, { limit: 10 })).toHaveLength(2);
  });

  it('reports lines the archive would not take, without failing the writer', async () => {
    const bus = createMemoryLogBus();
    const sessionId = session();
    const errors: unknown[] = [];
    const broken: LogArchive = {
      ...archive,
      insert: async () => {
        throw new Error('database is down');
      },
    };
    const writer = createLogWriter({
      bus,
      archive: broken,
      sessionId,
      attempts: 2,
      logger: { warn: () => {}, error: (details: unknown) => errors.push(details) } as never,
    });
    writer.write('stdout', 'still live');
    await writer.flush();
    expect(await bus.read(sessionId)).toHaveLength(1);
    expect(writer.stats()).toMatchObject({ written: 1, lostInArchive: 1, lostOnBus: 0 });
    expect(errors).toHaveLength(1);
  });
});

const line = (text: string): LogEntryInput => ({
  kind: 'log',
  stream: 'stdout',
  line: text,
  ts: 1,
});
const archivedLines = async (sessionId: string) =>
  (await archive.list(sessionId, { limit: 100 })).map((l) => l.line);

/** Writes `before` fully, then `lost` to the bus only, as a worker killed mid-batch leaves it. */
async function killedMidBatch(bus: LogBus, sessionId: string, before: string[], lost: string[]) {
  const writer = createLogWriter({ bus, archive, sessionId });
  for (const text of before) writer.write('stdout', text);
  await writer.flush();
  await bus.append(sessionId, lost.map(line));
}

describe('archiveBusTail, after a worker was killed between bus append and archive insert', () => {
  it('archives the lines after the newest archived one, once', async () => {
    const bus = createMemoryLogBus();
    const sessionId = session();
    await killedMidBatch(bus, sessionId, ['a', 'b'], ['c', 'd']);
    await bus.append(sessionId, [{ kind: 'status', status: 'running', ts: 1 }]);
    expect(await archivedLines(sessionId)).toEqual(['a', 'b']);

    expect(await archiveBusTail(bus, archive, sessionId)).toBe(2);
    expect(await archivedLines(sessionId)).toEqual(['a', 'b', 'c', 'd']);
    const onBus = (await bus.read(sessionId)).filter((e) => e.kind === 'log').map((e) => e.id);
    expect((await archive.list(sessionId, { limit: 100 })).map((l) => l.id)).toEqual(onBus);
    expect(await archiveBusTail(bus, archive, sessionId)).toBe(0);
  });

  it('archives a whole stream whose first batch never reached the archive', async () => {
    const bus = createMemoryLogBus();
    const sessionId = session();
    await killedMidBatch(bus, sessionId, [], ['only on the bus']);
    expect(await archiveBusTail(bus, archive, sessionId)).toBe(1);
    expect(await archivedLines(sessionId)).toEqual(['only on the bus']);
  });

  it('runs before a terminal status is published, not before others', async () => {
    const bus = createMemoryLogBus();
    const publishStatus = createPublishStatus(bus, archive);
    const sessionId = session();
    await killedMidBatch(bus, sessionId, ['a'], ['b']);
    await publishStatus({ sessionId, status: 'running' });
    expect(await archivedLines(sessionId)).toEqual(['a']);
    await publishStatus({ sessionId, status: 'cancelled' });
    expect(await archivedLines(sessionId)).toEqual(['a', 'b']);
    const last = (await bus.read(sessionId)).at(-1);
    expect(last).toMatchObject({ kind: 'status', status: 'cancelled' });
  });
});

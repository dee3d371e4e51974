import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEntry } from '../logs/types.js';
import { createTestDatabase, type TestDatabase } from '../testing/services.js';
import { openDatabase, type OpenedDatabase } from './connect.js';
import { createLogArchive, type LogArchive } from './log-archive.js';
import { migrate } from './migrations/migrate.js';

const entry = (id: string, line: string, ts = 1_700_000_000_000): BusEntry => ({
  id,
  sessionId: 'ignored',
  kind: 'log',
  stream: 'stdout',
  line,
  ts,
});

const drivers: Array<[string, () => Promise<{ database: OpenedDatabase; drop(): Promise<void> }>]> =
  [
    [
      'Postgres',
      async () => {
        const testDb: TestDatabase = await createTestDatabase();
        return {
          database: await openDatabase({ databaseUrl: testDb.url }),
          drop: () => testDb.drop(),
        };
      },
    ],
    ['PGlite', async () => ({ database: await openDatabase(), drop: async () => {} })],
  ];

describe.each(drivers)('log archive on %s', (_name, open) => {
  let database: OpenedDatabase;
  let drop: () => Promise<void>;
  let archive: LogArchive;
  beforeAll(async () => {
    ({ database, drop } = await open());
    await migrate(database.db);
    archive = createLogArchive(database.db);
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  it('stores log lines once, however often an activity retry inserts them', async () => {
    const entries = [entry('1700000000000-0', 'a'), entry('1700000000000-1', 'b')];
    await archive.insert('idem', entries);
    await archive.insert('idem', entries);
    await archive.insert('idem', [entries[1]!, entry('1700000000001-0', 'c')]);
    const lines = await archive.list('idem', { limit: 100 });
    expect(lines.map((l) => l.line)).toEqual(['a', 'b', 'c']);
    expect(lines[0]).toEqual({
      id: '1700000000000-0',
      stream: 'stdout',
      line: 'a',
      ts: 1_700_000_000_000,
    });
  });

  it('orders by the numeric id and pages with an exclusive `after`', async () => {
    // Inserted out of order, with ids whose string order differs from their numeric order.
    const ids = ['9-0', '10-0', '10-2', '10-10', '100-0', '9-1'];
    await archive.insert(
      'paging',
      ids.map((id) => entry(id, `line ${id}`)),
    );
    const all = await archive.list('paging', { limit: 100 });
    expect(all.map((l) => l.id)).toEqual(['9-0', '9-1', '10-0', '10-2', '10-10', '100-0']);
    expect(await archive.lastId('paging')).toBe('100-0');
    expect(await archive.lastId('nothing-archived')).toBeNull();

    const pages: string[][] = [];
    let after: string | undefined;
    for (;;) {
      const page = await archive.list('paging', { limit: 2, ...(after ? { after } : {}) });
      if (page.length === 0) break;
      pages.push(page.map((l) => l.id));
      after = page[page.length - 1]!.id;
    }
    expect(pages).toEqual([
      ['9-0', '9-1'],
      ['10-0', '10-2'],
      ['10-10', '100-0'],
    ]);
  });

  it('keeps sessions apart and ignores status entries', async () => {
    await archive.insert('one', [entry('5-0', 'mine')]);
    await archive.insert('two', [
      entry('5-0', 'theirs'),
      { id: '6-0', sessionId: 'two', kind: 'status', status: 'running', ts: 0 },
    ]);
    expect((await archive.list('one', { limit: 10 })).map((l) => l.line)).toEqual(['mine']);
    expect((await archive.list('two', { limit: 10 })).map((l) => l.line)).toEqual(['theirs']);
  });

  it('stores lines Postgres text cannot hold (NUL) instead of failing the batch', async () => {
    await archive.insert('nul', [entry('1-0', 'a\u0000b')]);
    expect((await archive.list('nul', { limit: 1 }))[0]?.line).toBe('a\uFFFDb');
  });

  it('inserts large batches (more rows than one statement takes)', async () => {
    const many = Array.from({ length: 2500 }, (_, i) => entry(`2000-${i}`, `l${i}`));
    await archive.insert('big', many);
    const last = await archive.list('big', { after: '2000-2497', limit: 10 });
    expect(last.map((l) => l.line)).toEqual(['l2498', 'l2499']);
  });
});

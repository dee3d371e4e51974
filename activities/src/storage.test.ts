import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readStorageSettings } from './settings.js';
import { openStorage } from './storage.js';
import { makeTempDir } from './testing/git-fixtures.js';
import {
  connectTestRedis,
  createTestDatabase,
  dropRedisPrefix,
  TEST_REDIS_URL,
  uniqueName,
  type TestDatabase,
} from './testing/services.js';

const logger = pino({ level: 'silent' });
let dataDir: string;

beforeAll(async () => {
  dataDir = await makeTempDir('io-storage');
});
afterAll(async () => rm(dataDir, { recursive: true, force: true }));

describe('openStorage', () => {
  it('embedded: PGlite under the data dir, in-process bus, default agents', async () => {
    const settings = readStorageSettings({ DATA_DIR: dataDir });
    const storage = await openStorage(settings, logger);
    try {
      expect(storage.databaseKind).toBe('pglite');
      expect((await storage.agents.list()).map((agent) => agent.name)).toEqual(['demo', 'test']);
      await storage.ping();
      await storage.bus.ping();
      const { token } = await storage.tokens.create('admin', 'admin');
      expect(await storage.tokens.verify(token)).toMatchObject({ name: 'admin', role: 'admin' });
    } finally {
      await storage.close();
    }
    // Persisted: a second start sees the same token table, and does not seed again.
    const again = await openStorage(settings, logger);
    try {
      expect(await again.tokens.count()).toBe(1);
      expect(await again.agents.seed([], 'again')).toBe(false);
    } finally {
      await again.close();
    }
    // PGlite's WebAssembly start and the migrations take seconds when the machine is busy.
  }, 90_000);

  describe('with Postgres and Redis', () => {
    let testDb: TestDatabase;
    let redis: Redis;
    const prefix = uniqueName('iotest');
    beforeAll(async () => {
      testDb = await createTestDatabase();
      redis = await connectTestRedis();
    });
    afterAll(async () => {
      await testDb?.drop();
      if (redis) {
        await dropRedisPrefix(redis, prefix);
        redis.disconnect();
      }
    });

    it('uses the servers, the key prefix and the agents file', async () => {
      const agentsFile = join(dataDir, 'agents.json');
      await writeFile(
        agentsFile,
        JSON.stringify([{ name: 'only', kind: 'command', command: ['true'] }]),
      );
      const settings = readStorageSettings({
        DATA_DIR: dataDir,
        DATABASE_URL: testDb.url,
        REDIS_URL: TEST_REDIS_URL,
        REDIS_KEY_PREFIX: prefix,
        AGENTS_FILE: agentsFile,
      });
      const storage = await openStorage(settings, logger);
      try {
        expect(storage.databaseKind).toBe('postgres');
        expect((await storage.agents.list()).map((agent) => agent.name)).toEqual(['only']);
        await storage.ping();
        await storage.bus.append('s1', [{ kind: 'log', stream: 'stdout', line: 'x', ts: 0 }]);
        expect(await redis.xlen(`${prefix}:logs:s1`)).toBe(1);
      } finally {
        await storage.close();
      }
    });
  });
});

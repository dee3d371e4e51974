/**
 * Real Postgres and Redis for the system tests, through the same helpers the activities' own
 * tests use: a fresh database and a Redis key prefix per test file, and a failure naming the
 * command that starts a service that is down.
 */
import {
  connectTestRedis,
  createTestDatabase,
  dropRedisPrefix as dropPrefix,
} from '@orchestrator/activities/testing/services';

export {
  createTestDatabase,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
  uniqueName,
} from '@orchestrator/activities/testing/services';

export async function assertPostgres(): Promise<void> {
  const database = await createTestDatabase();
  await database.drop();
}

export async function assertRedis(): Promise<void> {
  const redis = await connectTestRedis();
  redis.disconnect();
}

/** Removes every Redis key under a test's prefix. */
export async function dropRedisPrefix(prefix: string): Promise<void> {
  const redis = await connectTestRedis();
  try {
    await dropPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

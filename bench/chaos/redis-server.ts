/**
 * A redis-server of the chaos run's own, on a free port, so restarting it disturbs nobody else
 * (the shared one on 6379 serves every test). Append-only file with fsync on every write, so a
 * restart keeps the streams, as a Redis deployed with persistence would.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { Redis } from 'ioredis';
import { waitFor } from '@orchestrator/activities/testing/processes';

export interface RedisServerOptions {
  port: number;
  /** Data directory (the append-only file) and log file live here. */
  dir: string;
}

export interface RedisServer {
  url: string;
  pid(): number;
  /** Graceful shutdown (the server writes its data), then the same server again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedisServer(options: RedisServerOptions): Promise<RedisServer> {
  await mkdir(options.dir, { recursive: true });
  const url = `redis://127.0.0.1:${options.port}`;
  // Wrapped: an async function returning the child (a thenable) would wait for it to exit.
  let { child } = await launch(options, url);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await child;
    clearTimeout(timer);
  };
  return {
    url,
    pid: () => child.pid ?? 0,
    restart: async () => {
      await stop();
      ({ child } = await launch(options, url));
    },
    stop,
  };
}

async function launch(options: RedisServerOptions, url: string): Promise<{ child: ResultPromise }> {
  const child = execa(
    'redis-server',
    [
      '--port',
      String(options.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      options.dir,
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--logfile',
      join(options.dir, 'redis.log'),
    ],
    { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', reject: false, cleanup: true },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) {
          throw new Error(
            `redis-server exited on start (port ${options.port}); see ${options.dir}/redis.log. ${stderr}`,
          );
        }
        return ping(url);
      },
      15_000,
      `redis-server on ${url}`,
    );
  } catch (error) {
    child.kill('SIGKILL');
    await child;
    throw error;
  }
  return { child };
}

async function ping(url: string): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    // Loading the append-only file answers LOADING until done: only PONG means ready.
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

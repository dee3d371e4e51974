/**
 * The producer of the log anchor, in its own process like the agent: the same planned lines,
 * straight into a Redis stream with XADD (pipelined, one batch in flight). Settings come from
 * BENCH_PLAN (JSON), BENCH_REDIS_URL and BENCH_STREAM_KEY. Its last line is the CPU it spent
 * producing (start-up excluded), for the bench's CPU accounting: `producer cpu <ms>`.
 */
import { Redis } from 'ioredis';
import { nowMs } from '../core/stats.js';
import { parsePlan, producePlan } from './line-format.js';

const plan = parsePlan(process.env.BENCH_PLAN);
const key = process.env.BENCH_STREAM_KEY;
if (!key) throw new Error('BENCH_STREAM_KEY must name the stream to write');
const redis = new Redis(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
await redis.ping();
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const startCpu = cpuMs();
console.log('producer connected');
await producePlan(
  plan,
  1000,
  async (lines) => {
    const pipeline = redis.pipeline();
    for (const line of lines) pipeline.xadd(key, '*', 'line', line);
    await pipeline.exec();
  },
  nowMs,
);
await redis.quit();
console.log(`producer cpu ${(cpuMs() - startCpu).toFixed(1)}`);

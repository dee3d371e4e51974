/**
 * Figure: the RSS of a worker process holding 1,000 waiting sessions (see waiting-states.ts for
 * which state). The worker is restarted first, so the figure is about the waiting sessions, not
 * about what earlier figures left in its heap. RSS is read from /proc, in MB (10^6 bytes).
 */
import { makeFigure, targets, type Figure } from '../core/figure.js';
import { scrapeMetric } from '../core/metrics-text.js';
import { runPool } from '../core/pool.js';
import { rssBreakdownMB, rssMB } from '../core/proc-stats.js';
import { median } from '../core/stats.js';
import type { BenchContext } from './context.js';
import { WAITING_STATES } from './waiting-states.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function steadyRss(pid: number, samples = 5): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    values.push(rssMB(pid));
    await sleep(1_000);
  }
  return median(values);
}

export async function measureWorkerMemory(ctx: BenchContext): Promise<Figure[]> {
  const { stack, options, progress } = ctx;
  const state = WAITING_STATES[options.waitingState];
  progress.say('memory', 'restarting the worker so it starts empty…');
  const worker = await stack.restartWorker();
  const idleMB = await steadyRss(worker.pid);
  const idle = rssBreakdownMB(worker.pid);
  // The anchor worker (a minimal TypeScript worker, idle by now) for scale.
  const anchorWorkerMB = rssMB(stack.anchorWorker.pid);
  const n = options.waitingSessions;
  const ids = await runPool(
    n,
    20,
    () => state.start(stack),
    (done) => progress.count('memory', done, n, 'waiting sessions started'),
  );
  let pending = ids;
  const deadline = Date.now() + 600_000;
  while (pending.length > 0) {
    if (Date.now() > deadline) {
      throw new Error(
        `${pending.length} of ${n} sessions never reached the waiting state ${state.id}`,
      );
    }
    const waiting = await runPool(pending.length, 20, (i) => state.isWaiting(stack, pending[i]!));
    pending = pending.filter((_, i) => !waiting[i]);
    progress.count('memory', n - pending.length, n, `sessions waiting (${state.id})`);
    if (pending.length > 0) await sleep(1_000);
  }
  await sleep(3_000);
  const waitingMB = await steadyRss(worker.pid);
  const waiting = rssBreakdownMB(worker.pid);
  const cached = await scrapeMetric(stack.workerSdkMetricsUrl, 'temporal_sticky_cache_size').catch(
    () => null,
  );
  const perSessionKB = ((waitingMB - idleMB) * 1000) / n;
  const target = targets.atMost(200, 'MB');
  const notes = [
    `waiting state "${state.id}": ${state.description}`,
    `worker RSS ${idleMB.toFixed(1)} MB idle after a restart (anonymous ${idle.anon.toFixed(0)} MB, file-backed ${idle.file.toFixed(0)} MB) → ${waitingMB.toFixed(1)} MB with ${n} waiting (anonymous ${waiting.anon.toFixed(0)} MB; ${perSessionKB.toFixed(0)} kB per session); workflows in the sticky cache: ${cached ?? 'unknown'}`,
    `for scale: the anchor worker (minimal workflow and activity, same SDK and tsx, idle) holds ${anchorWorkerMB.toFixed(1)} MB`,
  ];
  if (!target.check(waitingMB, null)) {
    const cachedNow = typeof cached === 'number' ? cached : null;
    notes.push(
      `why (floor): an idle worker already holds ${idleMB.toFixed(0)} MB, and the anchor worker ${anchorWorkerMB.toFixed(0)} MB: Node itself (about 40 MB), tsx (its loader runs on a thread of its own, a second V8 isolate: about 40 MB more than plain node), the SDK's Rust core and the workflow thread's isolate with the bundle; the orchestrator worker adds a Temporal Worker per agent queue and its storage, log bus and metrics stacks. (It no longer bundles with webpack in its own heap, nor loads PGlite it does not use.)`,
      cachedNow !== null && cachedNow < n
        ? `why (per session): the sticky cache holds ${cachedNow} of the ${n} waiting sessions (WORKER_MAX_CACHED_WORKFLOWS); the rest of the ${perSessionKB.toFixed(0)} kB per session is heap the burst of ${n} starts left behind (workspace preparation, workflow tasks and replays of evicted sessions): V8 keeps its high-water mark rather than returning it`
        : `why (per session): every waiting session stays in the worker's sticky cache, about ${perSessionKB.toFixed(0)} kB each`,
      'to close it: run compiled JavaScript instead of tsx (about 40 MB: plain node 41 MB against 84 MB under tsx, measured here); a smaller young generation and fewer malloc arenas help a little (NODE_OPTIONS=--max-semi-space-size=2 with MALLOC_ARENA_MAX=2 measured 226 MB idle and 438 MB with 1,000 waiting, against 275 and 474 MB without); a 200 MB budget then still leaves little beside the SDK’s own floor (a minimal worker with a prebuilt bundle measured 229 MB here)',
    );
  }
  return [
    makeFigure({
      id: 'worker-memory-waiting',
      title: `worker RSS with ${n} sessions waiting (${state.id})`,
      unit: 'MB',
      value: waitingMB,
      target,
      notes,
      details: {
        idleMB,
        waitingMB,
        idle,
        waiting,
        anchorWorkerMB,
        perSessionKB,
        stickyCacheSize: cached,
        state: state.id,
      },
    }),
  ];
}

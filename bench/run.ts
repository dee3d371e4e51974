/**
 * `npm run bench`: starts the stack (bench/stack/bench-stack.ts), measures each figure group of
 * issue #8 next to its anchor, prints the table and writes the JSON. Targets missed are results,
 * not failures; the exit code is 1 only if a figure could not be measured.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GatewaySocket } from './clients/gateway-socket.js';
import { describeProfile, summarizeProfile } from './core/cpu-profile.js';
import type { Figure } from './core/figure.js';
import { describeMachine } from './core/machine.js';
import { createProgress } from './core/progress.js';
import { renderTable, writeResult, type BenchResult } from './core/report.js';
import type { BenchContext } from './figures/context.js';
import { measureListSessions } from './figures/list-sessions.js';
import { measureLogLines } from './figures/log-lines.js';
import { measureSessionLatency } from './figures/session-latency.js';
import { measureSessionThroughput } from './figures/session-throughput.js';
import { measureWorkerCrash } from './figures/worker-crash.js';
import { measureWorkerMemory } from './figures/worker-memory.js';
import { measureWsSoak } from './figures/ws-soak.js';
import { parseBenchOptions, USAGE, type FigureGroup } from './options.js';
import { startBenchStack } from './stack/bench-stack.js';

const MEASURES: Record<FigureGroup, (ctx: BenchContext) => Promise<Figure[]>> = {
  latency: measureSessionLatency,
  throughput: measureSessionThroughput,
  'log-lines': measureLogLines,
  crash: measureWorkerCrash,
  soak: measureWsSoak,
  memory: measureWorkerMemory,
  list: measureListSessions,
};

const options = (() => {
  try {
    return parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
})();
if (options === 'help') {
  console.log(USAGE);
  process.exit(0);
}
const progress = createProgress();
const machine = describeMachine();
const startedAt = new Date();
const profileDir = options.cpuProfile
  ? join(options.resultsDir, `profiles-${startedAt.toISOString().replace(/[:.]/g, '-')}`)
  : null;
progress.say(
  'setup',
  `figures: ${options.figures.join(', ')}${options.smoke ? ' (smoke run: tiny sizes, figures not meaningful)' : ''}`,
);

const stack = await startBenchStack({
  heartbeatTimeoutMs: options.heartbeatTimeoutMs,
  cpuProfileDir: profileDir,
  progress,
});
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    progress.say('bench', `${signal}: stopping everything it started…`);
    void stack.stop().finally(() => process.exit(130));
  });
}

const figures: Figure[] = [];
const failures: BenchResult['failures'] = [];
try {
  const socket = await GatewaySocket.open(stack.wsUrl);
  const ctx: BenchContext = { stack, options, progress, socket };
  for (const group of options.figures) {
    if (interrupted) break;
    const started = Date.now();
    progress.say(group, 'measuring…');
    try {
      const measured = await MEASURES[group](ctx);
      figures.push(...measured);
      progress.say(group, `done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      failures.push({ group, error: message });
      progress.say(group, `FAILED: ${message}`);
    }
  }
  await socket.close();
} finally {
  progress.say('teardown', 'stopping the stack and removing what the run created…');
  await stack.stop();
}

const finishedAt = new Date();
const result: BenchResult = {
  startedAt: startedAt.toISOString(),
  finishedAt: finishedAt.toISOString(),
  durationSeconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
  machine,
  options: { ...options },
  figures,
  failures,
};
console.log(renderTable(result));
if (profileDir) {
  for (const name of await readdir(profileDir)) {
    const dir = join(profileDir, name);
    const summaries = await Promise.all(
      (await readdir(dir)).map((file) => summarizeProfile(join(dir, file))),
    );
    // The main thread, not the loader thread tsx runs beside it.
    const main = summaries.sort((a, b) => b.totalMs - a.totalMs)[0];
    if (main) console.log([`CPU profile of ${name}:`, ...describeProfile(main)].join('\n'));
  }
}
const file = await writeResult(options.resultsDir, result);
console.log(`\nJSON: ${file}`);
process.exit(failures.length > 0 ? 1 : 0);

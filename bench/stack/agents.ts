/**
 * The `command` agents the bench registers (all of them, through AGENTS_FILE). WORKER_AGENTS
 * decides who polls what: the main worker the ones that do work, the crash workers only
 * `bench-crash` (so the bench knows which worker runs that step), and nobody `bench-waiting`
 * (its steps wait in Temporal).
 */
import { fileURLToPath } from 'node:url';
import type { AgentConfig } from '@orchestrator/activities/agents/types';

const TSX_LOADER = import.meta.resolve('tsx');
const EMIT_LINES = fileURLToPath(new URL('../log-lines/emit-lines.ts', import.meta.url));

/**
 * Prints `tick <n>` every <seconds> for <count> ticks; the goal is "<count> <seconds>". POSIX sh,
 * so fifty of them cost no more than fifty shells and their sleeps.
 */
const TICKER =
  'set -- $ORCHESTRATOR_GOAL; i=0; while [ "$i" -lt "$1" ]; do i=$((i+1)); echo "tick $i"; sleep "$2"; done';

export const BENCH_AGENTS = {
  /** One no-op step: the command is `true`. As many slots as the SDK's default (100). */
  noop: {
    name: 'bench-noop',
    kind: 'command',
    description: 'a no-op step (true)',
    command: ['true'],
    maxConcurrency: 100,
  },
  /** Prints log lines as the goal (JSON, see emit-lines.ts) says: a count, a rate, a width. */
  lines: {
    name: 'bench-lines',
    kind: 'command',
    description: 'prints numbered, timestamped log lines',
    command: [process.execPath, '--import', TSX_LOADER, EMIT_LINES],
    maxConcurrency: 4,
  },
  ticker: {
    name: 'bench-ticker',
    kind: 'command',
    description: 'prints tick <n> at a steady pace',
    command: ['sh', '-c', TICKER],
    maxConcurrency: 100,
  },
  crash: {
    name: 'bench-crash',
    kind: 'command',
    description: 'prints tick <n> at a steady pace, on the crash workers only',
    command: ['sh', '-c', TICKER],
    maxConcurrency: 4,
  },
  /**
   * Plans one no-op task and nothing else: with `approvals.afterPlan` its session then waits in
   * awaiting_approval (the worker memory figure's default state).
   */
  planner: {
    name: 'bench-planner',
    kind: 'command',
    description: 'writes a one-task plan (a no-op step) to the plan file',
    capabilities: ['plan'],
    command: [
      'sh',
      '-c',
      `mkdir -p "$(dirname "$ORCHESTRATOR_PLAN_FILE")" && printf '%s\\n' '${JSON.stringify({
        tasks: [{ id: 'noop', title: 'no-op', goal: 'nothing', agent: 'bench-noop' }],
      })}' > "$ORCHESTRATOR_PLAN_FILE"`,
    ],
    maxConcurrency: 100,
  },
  /** In no worker's WORKER_AGENTS: nothing polls agent-bench-waiting. */
  waiting: {
    name: 'bench-waiting',
    kind: 'command',
    description: 'never runs: no worker polls its queue, so its steps wait',
    command: ['true'],
  },
} satisfies Record<string, AgentConfig>;

export const BENCH_AGENT_LIST: AgentConfig[] = Object.values(BENCH_AGENTS);
/** WORKER_AGENTS of the main worker and of the crash workers. */
export const WORKER_AGENTS = [
  BENCH_AGENTS.noop,
  BENCH_AGENTS.lines,
  BENCH_AGENTS.ticker,
  BENCH_AGENTS.planner,
].map((a) => a.name);
export const CRASH_WORKER_AGENTS = [BENCH_AGENTS.crash.name];

/** The goal of a ticker session: <count> ticks, one every <intervalMs>. */
export function tickerGoal(count: number, intervalMs: number): string {
  return `${count} ${(intervalMs / 1000).toFixed(3)}`;
}

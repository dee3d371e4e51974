/**
 * The `command` agents of the chaos run, one per outcome a session should reach, and the form of
 * the numbered lines they print. Each line carries the printing shell's pid: a step that a worker
 * crash interrupted runs again from line 1 under a new pid, so the checks can tell the attempts
 * apart even where two of them overlap in the log.
 */
import type { CommandAgentConfig } from '@orchestrator/activities/agents/types';

/** What a session of the run is meant to end as. */
export type SessionPlan = 'complete' | 'fail' | 'cancel';

export const CHAOS_AGENT_NAMES: Record<SessionPlan, string> = {
  complete: 'chaos-lines',
  fail: 'chaos-fail',
  cancel: 'chaos-endless',
};

export const FAIL_EXIT_CODE = 3;

export interface ChaosAgentOptions {
  /** Numbered lines a completing (or failing) session prints. */
  lines: number;
  intervalMs: number;
  /** Steps one worker runs at once, per agent. */
  maxConcurrency: number;
}

/** `chaos <pid> line <n>`: printed by the agents, parsed by the checks. */
const NUMBERED_LINE = /^chaos (\d+) line (\d+)$/;

export interface NumberedLine {
  pid: number;
  n: number;
}

export function parseNumberedLine(line: string): NumberedLine | null {
  const match = NUMBERED_LINE.exec(line);
  return match ? { pid: Number(match[1]), n: Number(match[2]) } : null;
}

function numberedLoop(count: number, intervalMs: number): string {
  const seconds = (intervalMs / 1000).toFixed(3);
  return `for i in $(seq 1 ${count}); do echo "chaos $$ line $i"; sleep ${seconds}; done`;
}

export function chaosAgents(options: ChaosAgentOptions): CommandAgentConfig[] {
  const { lines, intervalMs, maxConcurrency } = options;
  const common = { kind: 'command' as const, maxConcurrency };
  return [
    {
      ...common,
      name: CHAOS_AGENT_NAMES.complete,
      description: `prints ${lines} numbered lines, one every ${intervalMs} ms`,
      command: ['sh', '-c', numberedLoop(lines, intervalMs)],
    },
    {
      ...common,
      name: CHAOS_AGENT_NAMES.fail,
      description: `prints ${lines} numbered lines, then exits ${FAIL_EXIT_CODE}`,
      command: ['sh', '-c', `${numberedLoop(lines, intervalMs)}; exit ${FAIL_EXIT_CODE}`],
    },
    {
      ...common,
      name: CHAOS_AGENT_NAMES.cancel,
      description: 'prints numbered lines until it is stopped',
      // Far longer than the run: only a stop ends it.
      command: ['sh', '-c', numberedLoop(1_000_000, intervalMs)],
    },
  ];
}

/** Session i's plan: one in ten fails, one in ten is stopped, the rest complete. */
export function planFor(index: number): SessionPlan {
  const slot = index % 10;
  return slot === 3 ? 'fail' : slot === 7 ? 'cancel' : 'complete';
}

export const EXPECTED_STATUS: Record<SessionPlan, 'completed' | 'failed' | 'cancelled'> = {
  complete: 'completed',
  fail: 'failed',
  cancel: 'cancelled',
};

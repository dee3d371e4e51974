import { readFileSync } from 'node:fs';
import type { AgentConfig } from '@orchestrator/activities/agents/types';

/** Scripted `command` agents for the system tests: each does one recognisable thing. */
export const testAgents: AgentConfig[] = [
  {
    name: 'echo',
    kind: 'command',
    description: 'prints numbered lines, one on stderr, and writes the goal to goal.txt',
    command: [
      'sh',
      '-c',
      'for i in $(seq 1 20); do echo "line $i"; done; echo "warning on stderr" >&2; printf "%s\\n" "$ORCHESTRATOR_GOAL" > goal.txt; echo "all done"',
    ],
  },
  {
    name: 'fail',
    kind: 'command',
    description: 'exits with status 3',
    command: ['sh', '-c', 'echo "about to fail"; echo "broken on purpose" >&2; exit 3'],
  },
  {
    name: 'slow',
    kind: 'command',
    description: 'records its pids, then sleeps until stopped',
    command: [
      'sh',
      '-c',
      'echo $$ > agent.pid; sleep 300 & echo $! > child.pid; echo "sleeping"; wait',
    ],
  },
  {
    name: 'steady',
    kind: 'command',
    description: 'prints a line every 200 ms for about 6 s, then writes done.txt',
    command: [
      'sh',
      '-c',
      'echo $$ >> pids.txt; for i in $(seq 1 30); do echo "tick $i"; sleep 0.2; done; echo ok > done.txt',
    ],
  },
];

/** Whether a process runs; a zombie (dead, not yet reaped by its new parent) counts as gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Scripted agents for task trees (tests/time-travel.test.ts): a planner that writes the plan
 * given in its goal, and a writer whose every step leaves one recognisable line in one file.
 */
export const treeAgents: AgentConfig[] = [
  {
    name: 'planner',
    kind: 'command',
    description: 'writes the plan JSON that follows "PLAN:" in its task goal to the plan file',
    capabilities: ['plan'],
    command: [
      'sh',
      '-c',
      'mkdir -p "$(dirname "$ORCHESTRATOR_PLAN_FILE")" && printf "%s\\n" "${ORCHESTRATOR_TASK_GOAL#*PLAN:}" > "$ORCHESTRATOR_PLAN_FILE" && echo planned',
    ],
  },
  {
    name: 'writer',
    kind: 'command',
    description: 'for the goal "append <file> <text>", appends the text as a line to the file',
    capabilities: ['code'],
    command: [
      'sh',
      '-c',
      'set -f; set -- $ORCHESTRATOR_TASK_GOAL; file="$2"; shift 2; printf "%s\\n" "$*" >> "$file"; echo "appended to $file"',
    ],
  },
];

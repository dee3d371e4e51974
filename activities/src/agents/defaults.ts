/**
 * The agents of a fresh `npm start`, so the console does something before anyone writes an
 * AGENTS_FILE: `demo` (a scripted fake agent that needs nothing installed) and `test` (runs the
 * repository's own test command).
 */
import { fileURLToPath } from 'node:url';
import type { AgentConfig } from './types.js';

export const DEMO_AGENT_SCRIPT = fileURLToPath(new URL('./demo-agent.mjs', import.meta.url));

export function defaultAgents(): AgentConfig[] {
  return [
    {
      name: 'demo',
      kind: 'command',
      description:
        'A scripted stand-in for a coding agent: prints progress for ~3 s and writes the goal ' +
        'to ORCHESTRATOR_NOTES.md.',
      command: [process.execPath, DEMO_AGENT_SCRIPT],
    },
    {
      name: 'test',
      kind: 'command',
      description: "Runs the repository's tests (npm test) in the workspace.",
      command: ['npm', 'test'],
    },
  ];
}

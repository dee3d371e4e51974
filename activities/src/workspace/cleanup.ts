/**
 * Removing what a session left on disk: its clone `<workspaces>/<id>`, its tasks' worktrees
 * `<workspaces>/<id>.<path>`, and the agents' state beside them in `.agent-state/` (homes,
 * transcripts kept for resuming). The janitor (worker/src/workspace-janitor.ts) calls it for
 * sessions closed longer ago than the retention.
 */
import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AGENT_STATE_DIR } from '../agents/agent-state-dir.js';
import { assertSessionId } from './session-id.js';

/** Whether a directory entry belongs to the session: its clone, or one of its tasks. */
function belongsTo(entry: string, sessionId: string): boolean {
  return (
    entry === sessionId ||
    (entry.startsWith(`${sessionId}.`) && /^[\d.]+$/.test(entry.slice(sessionId.length + 1)))
  );
}

async function entries(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
}

/** Removes everything the session has under `workspacesDir`; returns the paths removed. */
export async function removeSessionWorkspaces(
  workspacesDir: string,
  sessionId: string,
): Promise<string[]> {
  assertSessionId(sessionId);
  const root = resolve(workspacesDir);
  const removed: string[] = [];
  for (const dir of [root, join(root, AGENT_STATE_DIR)]) {
    for (const entry of await entries(dir)) {
      if (!belongsTo(entry, sessionId)) continue;
      const path = join(dir, entry);
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    }
  }
  return removed;
}

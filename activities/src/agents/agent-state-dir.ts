/**
 * Where an agent CLI keeps its state for one workspace: its HOME (config, session transcripts)
 * and temp files, isolated from the worker's own HOME and from every other session.
 *
 * It sits beside the workspace, not in a temp dir: `<workspaces>/.agent-state/<workspace>/<agent>`
 * (session ids never start with a dot, so it cannot collide with a workspace). A worker that
 * dies mid-step leaves it behind, and the retry (on any worker sharing the workspaces
 * directory, which agent steps need anyway) finds the agent's session there and resumes it.
 * It is not in the workspace, so it is never committed. A fresh (not resumed) run empties it
 * first; a run that ended for good (success, cancellation, a failure retrying cannot fix)
 * removes it. What is left after a step failed retryably on its last attempt is removed with
 * the session's workspace, or by the next step of the session that uses the agent.
 */
import { mkdir, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const AGENT_STATE_DIR = '.agent-state';

export interface AgentStateDir {
  root: string;
  /** The agent's HOME. */
  home: string;
  /** The agent's TMPDIR. */
  tmp: string;
  /** Creates the directories (keeping what is there). */
  ensure(): Promise<void>;
  /** Removes everything and creates empty directories. */
  reset(): Promise<void>;
  /** Removes the agent's state (and the workspace's state folder once it is empty). */
  remove(): Promise<void>;
}

export function agentStateDir(workspace: string, agent: string): AgentStateDir {
  const root = join(dirname(workspace), AGENT_STATE_DIR, basename(workspace), agent);
  const home = join(root, 'home');
  const tmp = join(root, 'tmp');
  const ensure = async () => {
    await mkdir(home, { recursive: true, mode: 0o700 });
    await mkdir(tmp, { recursive: true, mode: 0o700 });
  };
  const remove = async () => {
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
    // The workspace's folder goes too once no other agent keeps state in it.
    await rmdir(dirname(root)).catch(() => undefined);
  };
  return {
    root,
    home,
    tmp,
    ensure,
    reset: async () => {
      await remove();
      await ensure();
    },
    remove,
  };
}

import { workspaceError } from './workspace-error.js';

/** Session ids become directory and branch names: no separators, no dot-dot, no leading dash. */
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/** `what` names the id in the message, e.g. "Origin session id" for a fork's origin. */
export function assertSessionId(sessionId: string, what = 'Session id'): void {
  if (SESSION_ID.test(sessionId)) return;
  throw workspaceError(
    `${what} "${sessionId}" cannot name a workspace: expected 1-128 letters, digits, ` +
      '"-" or "_", starting with a letter or digit.',
  );
}

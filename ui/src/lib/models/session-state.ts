import type { Problem, SessionDetail } from '$lib/types/api';

/**
 * What to tell an operator when the gateway could not read the run's own state (no worker
 * answered its query in time): the page then lacks checkpoints, gates and outcome, and must say
 * they are unknown rather than show them as empty. Null when the state was read.
 */
export function stateUnavailableProblem(
  session: Pick<SessionDetail, 'stateAvailable' | 'closedAt'>,
): Problem | null {
  if (session.stateAvailable !== false) return null;
  const what = session.closedAt ? 'replay this closed run' : 'answer for this running session';
  return {
    type: 'about:blank',
    title: 'Session state unavailable',
    status: 503,
    detail:
      `No worker could ${what} in time, so its checkpoints, gates, errors and outcome are not ` +
      'shown (they are not empty). Check that a worker polls the orchestrator task queue; this ' +
      'page reads them again every few seconds.',
  };
}

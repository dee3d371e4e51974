import { describe, expect, it } from 'vitest';
import { stateUnavailableProblem } from './session-state';

describe('session state notice', () => {
  it('says nothing when the state was read, or by a gateway that does not tell', () => {
    expect(stateUnavailableProblem({ stateAvailable: true, closedAt: null })).toBeNull();
    expect(stateUnavailableProblem({ closedAt: null })).toBeNull();
  });

  it('names what is missing and what to check, for a running and a closed run', () => {
    const running = stateUnavailableProblem({ stateAvailable: false, closedAt: null });
    expect(running).toMatchObject({ status: 503, title: 'Session state unavailable' });
    expect(running?.detail).toMatch(/answer for this running session/);
    expect(running?.detail).toMatch(/checkpoints, gates, errors and outcome are not shown/);
    expect(running?.detail).toMatch(/orchestrator task queue/);
    const closed = stateUnavailableProblem({
      stateAvailable: false,
      closedAt: '2026-11-27T00:00:00.000Z',
    });
    expect(closed?.detail).toMatch(/replay this closed run/);
  });
});

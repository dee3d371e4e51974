import { TypedSearchAttributes } from '@temporalio/common';
import { SessionStatusKey, type SessionStatus } from '@orchestrator/workflows/client';
import { describe, expect, it } from 'vitest';
import { refusal } from '../testing/refusal.js';
import { SessionControls } from './controls.js';
import type { Info, SessionService } from './service.js';

/** A session service whose one session is in `run` state with `recorded` as SessionStatus. */
function sessionsWith(run: string, recorded: SessionStatus) {
  const signals: string[] = [];
  const info = {
    workflowId: 'session-s1',
    status: { name: run },
    typedSearchAttributes: new TypedSearchAttributes([{ key: SessionStatusKey, value: recorded }]),
  } as unknown as Info;
  const service = {
    describe: async () => info,
    client: {
      workflow: {
        getHandle: () => ({
          signal: async (definition: { name: string }) => {
            signals.push(definition.name);
          },
        }),
      },
    },
  } as unknown as SessionService;
  return { service, signals };
}

describe('session controls', () => {
  it('signals a running session and answers with its status', async () => {
    const { service, signals } = sessionsWith('RUNNING', 'running');
    const answer = await new SessionControls(service).signal('s1', 'pause', 'ops');
    expect(answer).toEqual({ id: 's1', status: 'running' });
    expect(signals).toEqual(['pause']);
  });

  it.each(['completed', 'failed', 'cancelled'] as const)(
    'refuses a session that recorded %s while its run is still closing',
    async (recorded) => {
      const { service, signals } = sessionsWith('RUNNING', recorded);
      const problem = await refusal(new SessionControls(service).signal('s1', 'pause', 'ops'));
      expect(problem.status).toBe(409);
      expect(problem.detail).toContain(`is ${recorded}`);
      expect(signals).toEqual([]);
    },
  );

  it('refuses a closed session with the status of its run', async () => {
    const { service, signals } = sessionsWith('TERMINATED', 'running');
    const problem = await refusal(new SessionControls(service).signal('s1', 'resume', 'ops'));
    expect(problem.status).toBe(409);
    expect(problem.detail).toContain('is cancelled; only a running session can be resumed');
    expect(signals).toEqual([]);
  });
});

import { TypedSearchAttributes } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import {
  SessionStatusKey,
  type SessionState,
  type SessionStatus,
} from '@orchestrator/workflows/client';
import { describe, expect, it } from 'vitest';
import { refusal } from '../testing/refusal.js';
import { SessionService } from './service.js';

/**
 * A service over a client whose one session is in `run` state with `recorded` as SessionStatus;
 * its state query answers `state`, or fails as when no worker answers in time.
 */
function serviceWith(run: string, recorded: SessionStatus, state?: Partial<SessionState>) {
  const sent: string[] = [];
  const info = {
    type: 'session',
    workflowId: 'session-s1',
    runId: 'r1',
    startTime: new Date('2026-11-27T10:00:00Z'),
    closeTime: run === 'RUNNING' ? undefined : new Date('2026-11-27T10:01:00Z'),
    memo: { title: 't', goal: 'g', repository: '/r', agent: 'echo' },
    status: { name: run },
    typedSearchAttributes: new TypedSearchAttributes([{ key: SessionStatusKey, value: recorded }]),
  };
  const client = {
    withDeadline: (_deadline: number, call: () => Promise<unknown>) => call(),
    workflow: {
      getHandle: () => ({
        describe: async () => info,
        cancel: async () => void sent.push('cancel'),
        terminate: async () => void sent.push('terminate'),
        query: async () => {
          if (!state) throw new Error('query timed out: no worker');
          return { checkpoints: [], error: null, pending: [], decisions: [], ...state };
        },
      }),
    },
  } as unknown as Client;
  const service = new SessionService({
    client,
    namespace: 'default',
    temporalWebUrl: null,
    sessionOptions: {} as never,
  });
  return { service, sent };
}

describe('stopping a session', () => {
  it('cancels a running session', async () => {
    const { service, sent } = serviceWith('RUNNING', 'running');
    expect(await service.stop('s1', false)).toEqual({ id: 's1', status: 'running' });
    expect(sent).toEqual(['cancel']);
  });

  it('refuses a stop once the session recorded its end, while its run is still closing', async () => {
    const { service, sent } = serviceWith('RUNNING', 'cancelled');
    const problem = await refusal(service.stop('s1', false));
    expect(problem.status).toBe(409);
    expect(problem.detail).toContain('is already cancelled');
    expect(sent).toEqual([]);
  });

  it('still force-stops a run that recorded its end but has not closed', async () => {
    const { service, sent } = serviceWith('RUNNING', 'completed');
    expect(await service.stop('s1', true)).toEqual({ id: 's1', status: 'cancelled' });
    expect(sent).toEqual(['terminate']);
  });

  it('refuses any stop of a closed session', async () => {
    const { service, sent } = serviceWith('COMPLETED', 'completed');
    const problem = await refusal(service.stop('s1', true));
    expect(problem.status).toBe(409);
    expect(problem.detail).toContain('is already completed');
    expect(sent).toEqual([]);
  });
});

describe('a session detail', () => {
  it('says when the run did not answer its state query, instead of empty checkpoints', async () => {
    const { service } = serviceWith('RUNNING', 'running');
    const detail = await service.get('s1');
    expect(detail).toMatchObject({ stateAvailable: false, status: 'running', checkpoints: [] });
  });

  it("takes an open run's status from its state, newer than SessionStatus", async () => {
    const { service } = serviceWith('RUNNING', 'running', {
      status: 'awaiting_approval',
      tokensUsed: 247,
    });
    // TokensUsed (describe) still says 0: status and tokens come from the same moment.
    expect(await service.get('s1')).toMatchObject({
      stateAvailable: true,
      status: 'awaiting_approval',
      tokensUsed: 247,
    });
  });

  it("takes a closed run's status from Temporal, whatever its state says", async () => {
    const { service } = serviceWith('TERMINATED', 'running', { status: 'running' });
    expect(await service.get('s1')).toMatchObject({ stateAvailable: true, status: 'cancelled' });
  });
});

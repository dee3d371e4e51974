import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { SessionDetail, SessionStatus } from '$lib/types/api';
import type { SessionView } from '$lib/stores/session-view.svelte';
import { sessionDetail } from '$lib/testing/fixtures';
import ApprovalPanel from './ApprovalPanel.svelte';

/** The parts of a SessionView the panel reads. */
function view(status: SessionStatus, patch: Partial<SessionDetail>): SessionView {
  return {
    status,
    session: sessionDetail('s1', { status, ...patch }),
    pending: null,
  } as unknown as SessionView;
}

const since = '2025-01-01T00:00:00Z';

describe('ApprovalPanel', () => {
  it('shows each waiting gate with its reason; a budget gate cannot be approved', () => {
    const { body } = render(ApprovalPanel, {
      props: {
        view: view('awaiting_approval', {
          pending: [
            { gate: 'merge', taskPath: '2', reason: 'merge 3 branches', since },
            { gate: 'budget', taskPath: '', reason: 'tokens: 1200 of 1000', since },
          ],
        }),
      },
    });
    const [merge, budget] = body.split('data-testid="pending-gate"').slice(1);
    expect(merge).toContain('data-gate="merge"');
    expect(merge).toContain('task 2');
    expect(merge).toContain('merge 3 branches');
    expect(merge).toContain('data-testid="approve-button"');
    expect(budget).toContain('tokens: 1200 of 1000');
    expect(budget).not.toContain('data-testid="approve-button"');
    expect(budget).toContain('data-testid="reject-button"');
  });

  it('lists the decisions made, and disables deciding once the session closed', () => {
    const { body } = render(ApprovalPanel, {
      props: {
        view: view('failed', {
          pending: [{ gate: 'plan', taskPath: '', reason: 'plan ready', since }],
          decisions: [
            {
              gate: 'plan',
              taskPath: '',
              decision: 'rejected',
              by: 'ops',
              comment: 'not this way',
              at: since,
            },
          ],
        }),
      },
    });
    expect(body).toMatch(/data-testid="approve-button"[^>]*disabled/);
    expect(body).toContain('data-decision="rejected"');
    expect(body).toContain('not this way');
    expect(body).toContain('>ops<');
  });

  it('renders nothing for a session without gates', () => {
    const { body } = render(ApprovalPanel, { props: { view: view('running', {}) } });
    expect(body).not.toContain('approval-panel');
  });
});

import { describe, expect, it } from 'vitest';
import type { AgentView } from './agent-overview.js';
import { chooseAgent, NoEligibleAgentError } from './routing.js';
import type { AgentTier } from './tiers.js';

function agent(
  name: string,
  options: {
    capabilities?: string[];
    tier?: AgentTier;
    available?: boolean;
    running?: number;
    backlog?: number;
    slots?: number;
  } = {},
): AgentView {
  return {
    name,
    kind: 'command',
    description: '',
    model: null,
    capabilities: options.capabilities ?? ['code'],
    maxConcurrency: options.slots ?? 2,
    config: { name, kind: 'command', command: ['true'] },
    tier: options.tier ?? { level: 'unrated', successRate: null, steps: 0 },
    availability: {
      available: options.available ?? true,
      reason: options.available === false ? 'claude not found' : null,
      workers: 1,
      version: null,
    },
    load: {
      running: options.running ?? 0,
      backlog: options.backlog ?? 0,
      pollers: 1,
      slots: options.slots ?? 2,
    },
    createdAt: '',
    updatedAt: '',
  };
}

const elite: AgentTier = { level: 'elite', successRate: 0.98, steps: 50 };
const advanced: AgentTier = { level: 'advanced', successRate: 0.9, steps: 50 };
const degraded: AgentTier = { level: 'degraded', successRate: 0.2, steps: 10 };

describe('chooseAgent', () => {
  it('needs every capability asked for', () => {
    const decision = chooseAgent({ capabilities: ['code', 'test'] }, [
      agent('coder', { capabilities: ['code'], tier: elite }),
      agent('tester', { capabilities: ['code', 'test'] }),
    ]);
    expect(decision.agent).toBe('tester');
    expect(decision.candidates).toContainEqual({
      name: 'coder',
      eligible: false,
      why: 'lacks test',
    });
    expect(decision.reason).toMatch(/^tester for code, test: tier unrated/);
  });

  it('prefers the higher tier when both have a free slot, the free slot over the tier', () => {
    expect(
      chooseAgent({ capabilities: ['code'] }, [agent('a'), agent('b', { tier: elite })]).agent,
    ).toBe('b');
    const busy = chooseAgent({ capabilities: ['code'] }, [
      agent('a', { tier: advanced }),
      agent('b', { tier: elite, running: 2, backlog: 1 }),
    ]);
    expect(busy.agent).toBe('a');
    expect(busy.reason).toContain('free slot');
    expect(busy.reason).toContain('over b (tier elite');
  });

  it('takes the least loaded when nobody has a free slot', () => {
    const decision = chooseAgent({ capabilities: ['code'] }, [
      agent('a', { running: 2, backlog: 4 }),
      agent('b', { running: 2, backlog: 1 }),
    ]);
    expect(decision.agent).toBe('b');
    expect(decision.reason).toContain('no free slot');
  });

  it('skips unavailable, degraded and below-minimum agents, saying why', () => {
    const decision = chooseAgent({ capabilities: ['code'], minTier: 'advanced' }, [
      agent('gone', { available: false, tier: elite }),
      agent('bad', { tier: degraded }),
      agent('new'),
      agent('good', { tier: advanced }),
    ]);
    expect(decision.agent).toBe('good');
    const why = Object.fromEntries(decision.candidates.map((c) => [c.name, c.why]));
    expect(why.gone).toBe('unavailable: claude not found');
    expect(why.bad).toBe('degraded (20%)');
    expect(why.new).toBe('tier unrated is below advanced');
    expect(decision.reason).toContain(
      'passed over gone (unavailable: claude not found), bad (degraded (20%)), new (tier unrated',
    );
  });

  it('fails with every reason when nobody qualifies', () => {
    const attempt = () =>
      chooseAgent({ capabilities: ['review'] }, [agent('a'), agent('b', { available: false })]);
    expect(attempt).toThrow(NoEligibleAgentError);
    expect(attempt).toThrow(/a lacks review; b lacks review/);
    expect(() => chooseAgent({ capabilities: [] }, [])).toThrow(/registry is empty/);
  });
});

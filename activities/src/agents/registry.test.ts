import { describe, expect, it } from 'vitest';
import { defaultAgents } from './defaults.js';
import { createAgentRegistry } from './registry.js';
import type { AgentConfig } from './types.js';

describe('agent registry', () => {
  it('finds agents by name and lists them in order', () => {
    const registry = createAgentRegistry(defaultAgents());
    expect(registry.names()).toEqual(['demo', 'test']);
    expect(registry.get('test')?.command).toEqual(['npm', 'test']);
    expect(registry.get('demo')?.command[1]).toMatch(/demo-agent\.mjs$/);
    expect(registry.get('nope')).toBeUndefined();
    expect(registry.list()).toHaveLength(2);
  });

  it('rejects names that cannot be task queue suffixes, duplicates and empty commands', () => {
    const agent: AgentConfig = { name: 'ok', kind: 'command', command: ['true'] };
    expect(() => createAgentRegistry([{ ...agent, name: 'Bad Name' }])).toThrow(/name/);
    expect(() => createAgentRegistry([agent, agent])).toThrow(/duplicate agent "ok"/);
    expect(() => createAgentRegistry([{ ...agent, command: [] }])).toThrow(/command/);
  });
});

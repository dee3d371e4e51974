import { describe, expect, it } from 'vitest';
import { defaultAgents } from './defaults.js';
import { createAgentRegistry } from './registry.js';
import type { AgentConfig, CommandAgentConfig } from './types.js';

describe('agent registry', () => {
  it('finds agents by name and lists them in order', () => {
    const registry = createAgentRegistry(defaultAgents());
    const command = (name: string) =>
      (registry.get(name) as CommandAgentConfig | undefined)?.command;
    expect(registry.names()).toEqual(['demo', 'test']);
    expect(command('test')).toEqual(['npm', 'test']);
    expect(command('demo')?.[1]).toMatch(/demo-agent\.mjs$/);
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

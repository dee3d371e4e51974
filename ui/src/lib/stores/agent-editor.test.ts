import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Agent, AgentConfig } from '$lib/types/api';
import { ApiError } from '$lib/services/problem';
import { agentView } from '$lib/testing/fixtures';
import { templateFor } from '$lib/models/agent-draft';

const fake = vi.hoisted(() => ({
  createAgent: vi.fn<(config: AgentConfig) => Promise<Agent>>(),
  updateAgent: vi.fn<(name: string, config: AgentConfig) => Promise<Agent>>(),
}));
vi.mock('./gateway.svelte', () => ({ api: fake }));

const { AgentEditor } = await import('./agent-editor.svelte');

beforeEach(() => {
  fake.createAgent.mockReset();
  fake.updateAgent.mockReset();
});

describe('AgentEditor', () => {
  it('creates an agent from the form and the JSON as one flat config', async () => {
    const editor = new AgentEditor(null);
    editor.draft.name = 'lint';
    editor.draft.capabilities = 'review';
    editor.draft.specific = '{ "command": ["npm", "run", "lint"] }';
    fake.createAgent.mockResolvedValue(agentView('lint'));
    expect((await editor.save())?.name).toBe('lint');
    expect(fake.createAgent).toHaveBeenCalledWith({
      name: 'lint',
      kind: 'command',
      capabilities: ['review'],
      command: ['npm', 'run', 'lint'],
    });
    expect(editor.saving).toBe(false);
  });

  it('replaces an existing agent under its own name', async () => {
    const agent = agentView('echo');
    const editor = new AgentEditor(agent);
    expect(editor.creating).toBe(false);
    editor.draft.description = 'prints more';
    fake.updateAgent.mockResolvedValue(agent);
    await editor.save();
    expect(fake.updateAgent).toHaveBeenCalledWith('echo', {
      ...agent.config,
      description: 'prints more',
    });
  });

  it('does not call the gateway while the form itself is wrong', async () => {
    const editor = new AgentEditor(null);
    editor.draft.specific = '{ nope';
    expect(await editor.save()).toBeNull();
    expect(fake.createAgent).not.toHaveBeenCalled();
    expect(Object.keys(editor.fieldErrors).sort()).toEqual(['config', 'name']);
  });

  it('shows the gateway’s field errors where they belong', async () => {
    const editor = new AgentEditor(null);
    editor.draft.name = 'Bad Name';
    fake.createAgent.mockRejectedValue(
      new ApiError({
        type: 'https://x/validation',
        title: 'Bad Request',
        status: 400,
        detail: 'The agent entry is not valid',
        errors: [
          { path: 'body.name', message: 'Agent names are lowercase letters, digits and dashes' },
          { path: 'body.command', message: 'expected a non-empty array of strings' },
        ],
      }),
    );
    expect(await editor.save()).toBeNull();
    expect(editor.problem?.status).toBe(400);
    expect(editor.fieldErrors).toEqual({
      name: ['Agent names are lowercase letters, digits and dashes'],
      config: ['command: expected a non-empty array of strings'],
    });
    expect(editor.otherErrors).toEqual([]);
  });

  it('swaps the JSON template with the kind only while the template is untouched', () => {
    const editor = new AgentEditor(null);
    editor.setKind('claude-code');
    expect(editor.draft.specific).toBe(templateFor('claude-code'));
    editor.draft.specific = '{ "model": "opus" }';
    editor.setKind('command');
    expect(editor.draft.kind).toBe('command');
    expect(editor.draft.specific).toBe('{ "model": "opus" }');
  });
});

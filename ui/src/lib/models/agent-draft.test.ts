import { describe, expect, it } from 'vitest';
import {
  configFromDraft,
  draftFromConfig,
  emptyDraft,
  jsonSyntaxMessage,
  placeErrors,
  templateFor,
} from './agent-draft';

describe('agent draft', () => {
  it('splits a flat config into the form and the JSON, and joins it back unchanged', () => {
    const config = {
      name: 'claude',
      kind: 'claude-code',
      description: 'writes code',
      capabilities: ['code', 'review'],
      maxConcurrency: 3,
      stallTimeoutMs: 60000,
      model: 'sonnet',
      apiKeyEnv: 'ANTHROPIC_API_KEY',
      env: { CLAUDE_CODE_MAX_RETRIES: '2' },
    };
    const draft = draftFromConfig(config);
    expect(draft).toMatchObject({
      name: 'claude',
      kind: 'claude-code',
      capabilities: 'code, review',
      maxConcurrency: '3',
      stallTimeoutMs: '60000',
    });
    expect(JSON.parse(draft.specific)).toEqual({
      model: 'sonnet',
      apiKeyEnv: 'ANTHROPIC_API_KEY',
      env: { CLAUDE_CODE_MAX_RETRIES: '2' },
    });
    expect(configFromDraft(draft)).toEqual({ config, errors: [] });
  });

  it('leaves out empty optional fields and reads capabilities separated by commas or spaces', () => {
    const draft = { ...emptyDraft('command'), name: ' probe ', capabilities: 'plan,code  test' };
    expect(configFromDraft(draft)).toEqual({
      config: {
        name: 'probe',
        kind: 'command',
        capabilities: ['plan', 'code', 'test'],
        command: ['sh', '-c', 'echo "$ORCHESTRATOR_GOAL"'],
      },
      errors: [],
    });
  });

  it('names every field it can tell is wrong before asking the gateway', () => {
    const result = configFromDraft({
      ...emptyDraft('command'),
      name: '',
      maxConcurrency: '0',
      stallTimeoutMs: '1.5',
      specific: '{"command": ["x"], "name": "dup"}',
    });
    expect(result.config).toBeNull();
    expect(result.errors.map((error) => error.path)).toEqual([
      'name',
      'maxConcurrency',
      'stallTimeoutMs',
      'config',
    ]);
    expect(result.errors.at(-1)?.message).toBe('Set name in the form above, not in the JSON');
  });

  it('explains JSON syntax errors with a line and column, and refuses non-objects', () => {
    const source = '{\n  "command": [1,\n}';
    const bad = configFromDraft({ ...emptyDraft(), name: 'x', specific: source });
    expect(bad.errors[0]?.message).toMatch(/^Not valid JSON/);
    expect(jsonSyntaxMessage(source, new SyntaxError('Unexpected token } at position 19'))).toBe(
      'Not valid JSON at line 3, column 1: Unexpected token } at position 19',
    );
    const array = configFromDraft({ ...emptyDraft(), name: 'x', specific: '[1]' });
    expect(array.errors).toEqual([
      { path: 'config', message: 'Expected a JSON object of the kind’s own fields' },
    ]);
  });

  it('puts the gateway’s field errors next to the form field or under the JSON editor', () => {
    const placed = placeErrors([
      { path: 'body.name', message: 'taken' },
      { path: 'body.command', message: 'expected an array' },
      { path: 'body.env.API_KEY', message: 'looks like a secret' },
      { path: 'maxConcurrency', message: 'too big' },
      { path: '', message: 'something else' },
    ]);
    expect(placed).toEqual({
      byField: {
        name: ['taken'],
        maxConcurrency: ['too big'],
        config: ['command: expected an array', 'env.API_KEY: looks like a secret'],
      },
      other: ['something else'],
    });
  });

  it('offers a template per known kind and an empty object otherwise', () => {
    expect(JSON.parse(templateFor('command'))).toHaveProperty('command');
    expect(JSON.parse(templateFor('claude-code'))).toHaveProperty('model');
    expect(templateFor('something-new')).toBe('{}');
  });
});

import { describe, expect, it } from 'vitest';
import { parseAgentConfigs } from './config-file.js';

const claude = { name: 'claude', kind: 'claude-code', model: 'sonnet' };
const parse = (entry: Record<string, unknown>) => () => parseAgentConfigs([entry], 'AGENTS_FILE x');

describe('agent configuration', () => {
  it('accepts command and claude-code agents', () => {
    const agents = parseAgentConfigs(
      [
        { name: 'lint', kind: 'command', command: ['npm', 'run', 'lint'], maxConcurrency: 2 },
        {
          ...claude,
          name: 'claude-big',
          binary: '/opt/claude/bin/claude',
          baseUrl: 'https://llm-gateway.internal/anthropic',
          apiKeyEnv: 'TEAM_ANTHROPIC_KEY',
          maxTurns: 30,
          allowedTools: ['Bash(npm test)', 'Bash(git diff *)'],
          permissionMode: 'acceptEdits',
          env: { CLAUDE_CODE_MAX_RETRIES: '3', CLAUDE_CODE_MAX_OUTPUT_TOKENS: '8000' },
          maxConcurrency: 1,
        },
      ],
      'AGENTS_FILE x',
    );
    expect(agents.map((a) => a.kind)).toEqual(['command', 'claude-code']);
  });

  it('names the entry and field at fault', () => {
    expect(parse({ name: 'x', kind: 'gpt-engineer' })).toThrow(
      'AGENTS_FILE x[0].kind: expected one of "command", "claude-code", ',
    );
    expect(parse({ ...claude, model: '' })).toThrow('AGENTS_FILE x[0].model');
    expect(parse({ ...claude, modle: 'x' })).toThrow('[0].modle: unknown field');
    expect(parse({ ...claude, baseUrl: 'ftp://x' })).toThrow('[0].baseUrl');
    expect(parse({ ...claude, baseUrl: 'https://u:p@x.test' })).toThrow('credentials');
    expect(parse({ ...claude, maxTurns: 0 })).toThrow('[0].maxTurns: expected a positive integer');
    expect(parse({ ...claude, allowedTools: 'Bash' })).toThrow('[0].allowedTools');
    expect(parse({ ...claude, permissionMode: 'yolo' })).toThrow('[0].permissionMode');
    expect(parse({ ...claude, maxConcurrency: 1.5 })).toThrow('[0].maxConcurrency');
    expect(parse({ ...claude, env: { HOME: '/root' } })).toThrow('set by the orchestrator');
    // A bad variable name is quoted after the path, never part of it (it may hold `: ` or dots).
    expect(parse({ ...claude, env: { 'A: b.c': 'x' } })).toThrow(
      '[0].env: "A: b.c" is not a variable name',
    );
    expect(parse({ ...claude, env: { GOOD: 3 } })).toThrow('[0].env.GOOD: expected a string');
  });

  it('refuses secrets in the configuration: keys go by environment variable name', () => {
    expect(parse({ ...claude, apiKey: 'sk-ant-123' })).toThrow(/secrets are never part/);
    expect(parse({ ...claude, apiKeyEnv: 'sk-ant-api03-abc' })).toThrow(
      /NAME of an environment variable on the worker/,
    );
    expect(parse({ ...claude, env: { ANTHROPIC_API_KEY: 'x' } })).toThrow(/looks like a secret/);
    expect(parse({ ...claude, env: { SOME_VAR: 'sk-ant-123' } })).toThrow(/looks like a secret/);
  });
});

import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/git-fixtures.js';
import { agentStateDir } from './agent-state-dir.js';
import { claudeArguments, claudeCodeAdapter, claudeEnvironment } from './claude-code.js';
import type { ClaudeCodeAgentConfig } from './types.js';

const config: ClaudeCodeAgentConfig = {
  name: 'claude',
  kind: 'claude-code',
  model: 'sonnet',
  baseUrl: 'http://127.0.0.1:9/anthropic',
  apiKeyEnv: 'TEAM_KEY',
  maxTurns: 7,
  allowedTools: ['Bash(npm test)'],
  env: { CLAUDE_CODE_MAX_RETRIES: '0' },
};
const input = {
  sessionId: 's1',
  agent: 'claude',
  goal: '-rf everything',
  workspace: '/w/s1',
  step: 2,
};

let root: string;
beforeAll(async () => {
  root = await makeTempDir('io-claude-unit');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('claude-code adapter', () => {
  it('runs print mode with stream-json, a chosen session id and the goal after --', () => {
    expect(claudeArguments(config, { id: 'uuid-1', resume: false }, input.goal)).toEqual([
      '-p',
      '--output-format',
      'stream-json',
      '--verbose',
      '--model',
      'sonnet',
      '--permission-mode',
      'acceptEdits',
      '--permission-prompts',
      'none',
      '--session-id',
      'uuid-1',
      '--max-turns',
      '7',
      '--allowedTools',
      'Bash(npm test)',
      '--',
      '-rf everything',
    ]);
    const resumed = claudeArguments(
      { ...config, maxTurns: undefined },
      { id: 'u', resume: true },
      'go',
    );
    expect(resumed).toContain('--resume');
    expect(resumed).not.toContain('--session-id');
    expect(resumed).not.toContain('--max-turns');
  });

  it("gives the CLI an isolated HOME and only the worker's PATH, locale and the key", () => {
    const state = agentStateDir('/w/s1', 'claude');
    expect(state.root).toBe('/w/.agent-state/s1/claude');
    const env = claudeEnvironment(config, input, state, {
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      HOME: '/root',
      DATABASE_URL: 'postgres://secret@db/x',
      ANTHROPIC_API_KEY: 'worker-own-key',
      TEAM_KEY: 'sk-team-key-123',
    });
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      HOME: '/w/.agent-state/s1/claude/home',
      CLAUDE_CONFIG_DIR: '/w/.agent-state/s1/claude/home/.claude',
      TMPDIR: '/w/.agent-state/s1/claude/tmp',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/anthropic',
      ANTHROPIC_API_KEY: 'sk-team-key-123',
      CLAUDE_CODE_MAX_RETRIES: '0',
      DISABLE_TELEMETRY: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ORCHESTRATOR_SESSION_ID: 's1',
      ORCHESTRATOR_STEP: '2',
    });
    expect(env).not.toHaveProperty('DATABASE_URL');
    expect(claudeCodeAdapter.secrets(config, { TEAM_KEY: 'sk-team-key-123' })).toEqual([
      'sk-team-key-123',
    ]);
  });

  it('is available with a binary that answers --version and the key set; else says why', async () => {
    const bin = join(root, 'bin');
    await mkdir(bin, { recursive: true });
    const fake = join(bin, 'claude');
    await writeFile(fake, '#!/bin/sh\necho "9.8.7 (Claude Code)"\n');
    await chmod(fake, 0o755);
    const env = { PATH: `${bin}:/usr/bin:/bin`, TEAM_KEY: 'sk-team-key-123' };
    expect(await claudeCodeAdapter.checkAvailability(config, env)).toEqual({
      available: true,
      binary: fake,
      version: '9.8.7',
    });
    const noKey = await claudeCodeAdapter.checkAvailability(config, { PATH: env.PATH });
    expect(!noKey.available && noKey.reason).toContain('TEAM_KEY (its apiKeyEnv) is not set');

    const broken = join(bin, 'not-claude');
    await writeFile(broken, '#!/bin/sh\nexit 2\n');
    await chmod(broken, 0o755);
    const wrong = await claudeCodeAdapter.checkAvailability({ ...config, binary: broken }, env);
    expect(!wrong.available && wrong.reason).toContain('did not answer --version');

    const plain = join(bin, 'plain');
    await writeFile(plain, 'not executable');
    const notExec = await claudeCodeAdapter.checkAvailability({ ...config, binary: plain }, env);
    expect(!notExec.available && notExec.reason).toContain('is not executable');
    expect(!notExec.available && notExec.reason).toContain(
      'npm install -g @anthropic-ai/claude-code',
    );
  });
});

import { chmod, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/git-fixtures.js';
import { agentStateDir } from './agent-state-dir.js';
import { OPENCODE_KEY_VARIABLE } from './opencode-config.js';
import { opencodeEnvironment, prepareOpenCodeHome } from './opencode-environment.js';
import { opencodeServeArguments } from './opencode-server.js';
import { opencodeVersion } from './opencode-version.js';
import { opencodeResumePrompt, sessionFailure } from './opencode.js';
import type { OpenCodeAgentConfig } from './types.js';

const config: OpenCodeAgentConfig = {
  name: 'oc',
  kind: 'opencode',
  model: 'scripted/test-model',
  baseUrl: 'http://127.0.0.1:9/v1',
  apiKeyEnv: 'TEAM_KEY',
  env: { OPENCODE_EXPERIMENTAL: '1' },
};
const input = { sessionId: 's1', agent: 'oc', goal: 'do it', workspace: '/w/s1', step: 2 };

let root: string;
beforeAll(async () => {
  root = await makeTempDir('io-opencode-unit');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('opencode adapter', () => {
  it('serves on loopback only, on a port the system picks, logging to stderr', () => {
    expect(opencodeServeArguments()).toEqual([
      'serve',
      '--hostname',
      '127.0.0.1',
      '--port',
      '0',
      '--print-logs',
      '--log-level',
      'INFO',
    ]);
  });

  it("builds the server's environment instead of inheriting the worker's", () => {
    const state = agentStateDir(join(root, 'workspaces', 's1'), 'oc');
    const env = opencodeEnvironment(
      config,
      input,
      state,
      { PATH: '/usr/bin', TEAM_KEY: 'sk-team-123456', DATABASE_URL: 'postgres://secret' },
      'pw',
    );
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      HOME: state.home,
      XDG_DATA_HOME: join(state.home, '.local', 'share'),
      TMPDIR: state.tmp,
      OPENCODE_SERVER_PASSWORD: 'pw',
      OPENCODE_DISABLE_AUTOUPDATE: '1',
      OPENCODE_DISABLE_MODELS_FETCH: '1',
      OPENCODE_EXPERIMENTAL: '1',
      [OPENCODE_KEY_VARIABLE]: 'sk-team-123456',
      ORCHESTRATOR_SESSION_ID: 's1',
      ORCHESTRATOR_STEP: '2',
    });
    expect(env).not.toHaveProperty('DATABASE_URL');
    expect(env).not.toHaveProperty('TEAM_KEY');
    const inline = JSON.parse(env.OPENCODE_CONFIG_CONTENT!) as { model: string };
    expect(inline.model).toBe('scripted/test-model');
    expect(env.OPENCODE_CONFIG_CONTENT).not.toContain('sk-team');
    // A built-in provider keeps its model catalogue.
    const builtIn = opencodeEnvironment({ ...config, baseUrl: undefined }, input, state, {}, 'pw');
    expect(builtIn).not.toHaveProperty('OPENCODE_DISABLE_MODELS_FETCH');
    expect(builtIn).not.toHaveProperty(OPENCODE_KEY_VARIABLE);
  });

  it("keeps OpenCode from npm-installing its plugin package into the step's HOME", async () => {
    const state = agentStateDir(join(root, 'workspaces', 's2'), 'oc');
    await state.reset();
    await prepareOpenCodeHome(state);
    const dir = join(state.home, '.config', 'opencode');
    const manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const lock = JSON.parse(await readFile(join(dir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dependencies: Record<string, string> }>;
    };
    expect(Object.keys(lock.packages['']!.dependencies)).toEqual(
      Object.keys(manifest.dependencies),
    );
    expect(manifest.dependencies).toHaveProperty('@opencode-ai/plugin');
  });

  it('asks a resumed session to continue in words the scripted model recognises', () => {
    expect(opencodeResumePrompt('the goal')).toMatch(/interrupted[\s\S]*Continue the task/);
    expect(opencodeResumePrompt('the goal').endsWith('\n\nthe goal')).toBe(true);
  });

  it('maps the error that ended a session to a retryable model error or a failure', () => {
    const rateLimited = sessionFailure(config, {
      name: 'APIError',
      message: 'slow down',
      statusCode: 429,
    });
    expect(rateLimited).toMatchObject({ type: 'AgentModelError', nonRetryable: false });
    expect(rateLimited.message).toContain('rate limited the request (HTTP 429): slow down');
    const down = sessionFailure(config, { name: 'APIError', message: 'boom', statusCode: 503 });
    expect(down).toMatchObject({ type: 'AgentModelError', nonRetryable: false });
    expect(down.message).toContain('failed with HTTP 503: boom');

    const rejected = sessionFailure(config, {
      name: 'APIError',
      message: 'Invalid API key',
      statusCode: 401,
    });
    expect(rejected).toMatchObject({ type: 'AgentExitError', nonRetryable: true });
    expect(rejected.message).toBe(
      'Agent "oc" failed (APIError, HTTP 401): Invalid API key (check the API key in TEAM_KEY ' +
        'on the worker and the baseUrl http://127.0.0.1:9/v1)',
    );
    const overflow = sessionFailure(config, {
      name: 'ContextOverflowError',
      message: 'too long',
      statusCode: null,
    });
    expect(overflow.message).toBe('Agent "oc" failed (ContextOverflowError): too long');
  });

  it("reads an npm install's version from its package, and asks any other binary", async () => {
    const prefix = join(root, 'prefix', 'node_modules');
    await mkdir(join(prefix, 'opencode-ai', 'bin'), { recursive: true });
    await mkdir(join(prefix, '.bin'), { recursive: true });
    await writeFile(
      join(prefix, 'opencode-ai', 'package.json'),
      JSON.stringify({ name: 'opencode-ai', version: '1.18.33' }),
    );
    // Never run: the version comes from the package.
    await writeFile(join(prefix, 'opencode-ai', 'bin', 'opencode.exe'), '#!/bin/sh\nexit 1\n');
    await chmod(join(prefix, 'opencode-ai', 'bin', 'opencode.exe'), 0o755);
    await symlink('../opencode-ai/bin/opencode.exe', join(prefix, '.bin', 'opencode'));
    expect(await opencodeVersion(join(prefix, '.bin', 'opencode'))).toBe('1.18.33');

    const script = join(root, 'opencode-script');
    await writeFile(script, '#!/bin/sh\necho 1.2.3\n');
    await chmod(script, 0o755);
    expect(await opencodeVersion(script)).toBe('1.2.3');
  });
});

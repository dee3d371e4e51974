import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/git-fixtures.js';
import { agentStateDir } from './agent-state-dir.js';
import { codexConfigToml, tomlString } from './codex-config-toml.js';
import { codexAdapter, codexArguments, codexEnvironment } from './codex.js';
import { modelStatusOf } from './codex-stream.js';
import { parseAgentConfigs } from './config-file.js';
import type { CodexAgentConfig } from './types.js';

const config: CodexAgentConfig = {
  name: 'codex',
  kind: 'codex',
  model: 'gpt-5.5',
  baseUrl: 'http://127.0.0.1:9/v1',
  apiKeyEnv: 'TEAM_KEY',
  maxRetries: 0,
  env: { RUST_LOG: 'warn' },
};
const input = {
  sessionId: 's1',
  agent: 'codex',
  goal: '-rf everything',
  workspace: '/w/s1',
  step: 2,
};

let root: string;
beforeAll(async () => {
  root = await makeTempDir('io-codex-unit');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('codex adapter', () => {
  it('runs exec --json on a new thread, or resumes one, with the prompt after --', () => {
    expect(codexArguments(null, input.goal)).toEqual([
      'exec',
      '--json',
      '--strict-config',
      '--',
      '-rf everything',
    ]);
    expect(codexArguments('thread-1', 'resume')).toEqual([
      'exec',
      'resume',
      '--json',
      '--strict-config',
      'thread-1',
      '--',
      'resume',
    ]);
  });

  it('writes a config.toml with its own provider, the sandbox and nothing that phones home', () => {
    expect(codexConfigToml(config)).toBe(
      [
        '# Written by the orchestrator for agent "codex" at every run; edits are lost.',
        'model = "gpt-5.5"',
        'model_provider = "orchestrator"',
        'sandbox_mode = "workspace-write"',
        'approval_policy = "never"',
        'check_for_update_on_startup = false',
        '',
        '[analytics]',
        'enabled = false',
        '',
        '[features]',
        'plugins = false',
        '',
        '[shell_environment_policy]',
        'inherit = "all"',
        'ignore_default_excludes = false',
        'exclude = ["CODEX_PROVIDER_API_KEY"]',
        '',
        '[model_providers.orchestrator]',
        'name = "codex"',
        'base_url = "http://127.0.0.1:9/v1"',
        'env_key = "CODEX_PROVIDER_API_KEY"',
        'wire_api = "responses"',
        'request_max_retries = 0',
        'stream_max_retries = 0',
        '',
      ].join('\n'),
    );
    const defaults = codexConfigToml({
      name: 'cx',
      kind: 'codex',
      model: 'gpt "quoted"\n',
      sandbox: 'danger-full-access',
    });
    expect(defaults).toContain('model = "gpt \\"quoted\\"\\n"');
    expect(defaults).toContain('sandbox_mode = "danger-full-access"');
    expect(defaults).toContain('base_url = "https://api.openai.com/v1"');
    expect(defaults).not.toContain('max_retries');
    expect(tomlString('a\u007fb')).toBe('"a\\u007fb"');
  });

  it("gives the CLI an isolated HOME and CODEX_HOME, the key under the provider's name, and only the worker's PATH and locale", () => {
    const state = agentStateDir('/w/s1', 'codex');
    const env = codexEnvironment(config, input, state, {
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      HOME: '/root',
      DATABASE_URL: 'postgres://secret@db/x',
      OPENAI_API_KEY: 'worker-own-key',
      TEAM_KEY: 'sk-team-key-123',
    });
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      LANG: 'C.UTF-8',
      HOME: '/w/.agent-state/s1/codex/home',
      CODEX_HOME: '/w/.agent-state/s1/codex/home/.codex',
      XDG_CONFIG_HOME: '/w/.agent-state/s1/codex/home/.config',
      TMPDIR: '/w/.agent-state/s1/codex/tmp',
      CODEX_PROVIDER_API_KEY: 'sk-team-key-123',
      RUST_LOG: 'warn',
      ORCHESTRATOR_SESSION_ID: 's1',
      ORCHESTRATOR_STEP: '2',
    });
    expect(env).not.toHaveProperty('DATABASE_URL');
    expect(env).not.toHaveProperty('OPENAI_API_KEY');
    expect(env).not.toHaveProperty('TEAM_KEY');
    expect(codexAdapter.secrets(config, { TEAM_KEY: 'sk-team-key-123' })).toEqual([
      'sk-team-key-123',
    ]);
    const { apiKeyEnv: _named, ...byDefault } = config;
    expect(codexAdapter.secrets(byDefault, { OPENAI_API_KEY: 'sk-default-key-1' })).toEqual([
      'sk-default-key-1',
    ]);
  });

  it('reads the model API status from what Codex says', () => {
    expect(
      modelStatusOf('exceeded retry limit, last status: 429 Too Many Requests, request id: r'),
    ).toBe(429);
    expect(
      modelStatusOf('unexpected status 503 Service Unavailable: down, url: http://x/v1/responses'),
    ).toBe(503);
    expect(modelStatusOf('unexpected status 401 Unauthorized: bad key')).toBe(401);
    // Codex 0.169 answers HTTP 500 with its own words only.
    expect(
      modelStatusOf('We’re currently experiencing high demand, which may cause temporary errors.'),
    ).toBe(500);
    expect(modelStatusOf('{"error":{"message":"bad request"}}')).toBeNull();
  });

  it('validates its entries: model, sandbox, retries, and no secrets by value', () => {
    const parse = (entry: Record<string, unknown>) => () =>
      parseAgentConfigs([{ name: 'cx', kind: 'codex', model: 'gpt-5.5', ...entry }], 'AGENTS x');
    expect(parse({ sandbox: 'workspace-write', maxRetries: 0 })()[0]).toMatchObject({
      kind: 'codex',
      sandbox: 'workspace-write',
      maxRetries: 0,
    });
    expect(parse({ model: '' })).toThrow('AGENTS x[0].model: expected a model name');
    expect(parse({ sandbox: 'none' })).toThrow(
      'AGENTS x[0].sandbox: expected one of read-only, workspace-write, danger-full-access',
    );
    expect(parse({ maxRetries: -1 })).toThrow('AGENTS x[0].maxRetries: expected a non-negative');
    expect(parse({ apiKey: 'sk-abc' })).toThrow('(default OPENAI_API_KEY)');
    expect(parse({ apiKeyEnv: 'sk-abc-def' })).toThrow('AGENTS x[0].apiKeyEnv: expected the NAME');
    expect(parse({ baseUrl: 'ftp://x' })).toThrow('AGENTS x[0].baseUrl: expected an http(s) URL');
    expect(parse({ env: { CODEX_HOME: '/tmp/x' } })).toThrow(
      'AGENTS x[0].env.CODEX_HOME: set by the orchestrator itself',
    );
    expect(parse({ env: { MY_SECRET: 'x' } })).toThrow('looks like a secret');
    expect(parse({ approval: 'never' })).toThrow('AGENTS x[0].approval: unknown field');
  });

  it('is available with a binary that answers --version and the key set; else says why', async () => {
    const bin = join(root, 'bin');
    await mkdir(bin, { recursive: true });
    const fake = join(bin, 'codex');
    await writeFile(fake, '#!/bin/sh\necho "codex-cli 9.8.7"\n');
    await chmod(fake, 0o755);
    const { binary: _configured, ...onPath } = config;
    const env = { PATH: `${bin}:/usr/bin:/bin`, TEAM_KEY: 'sk-team-key-123' };
    expect(await codexAdapter.checkAvailability(onPath, env)).toEqual({
      available: true,
      binary: fake,
      version: '9.8.7',
    });
    const noKey = await codexAdapter.checkAvailability(onPath, { PATH: env.PATH });
    expect(!noKey.available && noKey.reason).toBe(
      'Agent "codex" (codex): the environment variable TEAM_KEY (its apiKeyEnv) is not set on ' +
        "this worker. Set it to the API key in the worker's environment; the key is read from " +
        'there at each step and never stored or logged.',
    );
    const missing = await codexAdapter.checkAvailability(onPath, { ...env, PATH: '/nowhere' });
    expect(!missing.available && missing.reason).toMatch(
      /^Agent "codex" \(codex\): "codex" on the PATH \(\/nowhere\) was not found\. Install Codex on the worker \(npm install -g @openai\/codex\)/,
    );
    const broken = join(bin, 'not-codex');
    await writeFile(broken, '#!/bin/sh\nexit 2\n');
    await chmod(broken, 0o755);
    const wrong = await codexAdapter.checkAvailability({ ...config, binary: broken }, env);
    expect(!wrong.available && wrong.reason).toContain('did not answer --version like Codex');
  });
});

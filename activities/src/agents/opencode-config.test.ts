import { describe, expect, it } from 'vitest';
import {
  OPENCODE_KEY_VARIABLE,
  opencodeRuntimeConfig,
  parseOpenCodeConfig,
  splitModel,
} from './opencode-config.js';
import type { OpenCodeAgentConfig } from './types.js';

const where = 'AGENTS_FILE agents.json[0]';
const entry = (extra: Record<string, unknown> = {}) => ({
  name: 'oc',
  kind: 'opencode',
  model: 'openai/gpt-4.1',
  ...extra,
});

describe('parseOpenCodeConfig', () => {
  it('accepts a full entry', () => {
    const full = entry({
      binary: '/opt/opencode',
      baseUrl: 'http://127.0.0.1:8080/v1',
      apiKeyEnv: 'TEAM_KEY',
      agent: 'build',
      pricing: { input: 3, output: 15, cacheRead: 0.3 },
      env: { OPENCODE_EXPERIMENTAL: '1' },
      stallTimeoutMs: 60_000,
    });
    expect(parseOpenCodeConfig(full, where)).toEqual(full);
  });

  it('names the entry and field at fault, and what was expected', () => {
    const fails = (extra: Record<string, unknown>) => () =>
      parseOpenCodeConfig(entry(extra), where);
    expect(fails({ model: 'gpt-4.1' })).toThrow(`${where}.model: expected "provider/model"`);
    expect(fails({ apiKey: 'sk-123' })).toThrow(
      `${where}.apiKey: secrets are never part of an agent's configuration`,
    );
    expect(fails({ apiKeyEnv: 'sk-123' })).toThrow(`${where}.apiKeyEnv: expected the NAME`);
    expect(fails({ baseUrl: 'ftp://x' })).toThrow(`${where}.baseUrl: expected an http(s) URL`);
    expect(fails({ pricing: { input: 3 } })).toThrow(`${where}.pricing: input and output`);
    expect(fails({ pricing: { input: 3, output: -1 } })).toThrow(`${where}.pricing.output:`);
    expect(fails({ pricing: { input: 3, output: 1, cached: 1 } })).toThrow(
      `${where}.pricing.cached: unknown price`,
    );
    expect(fails({ env: { OPENCODE_CONFIG_CONTENT: '{}' } })).toThrow(
      `${where}.env.OPENCODE_CONFIG_CONTENT: set by the orchestrator itself`,
    );
    expect(fails({ env: { MY_API_KEY: 'x' } })).toThrow(
      `${where}.env.MY_API_KEY: looks like a secret`,
    );
    expect(fails({ permission: 'allow' })).toThrow(`${where}.permission: unknown field`);
  });
});

describe('splitModel', () => {
  it('splits at the first slash: model ids may have their own', () => {
    expect(splitModel('openrouter/anthropic/claude-sonnet-4')).toEqual({
      providerID: 'openrouter',
      modelID: 'anthropic/claude-sonnet-4',
    });
  });
});

describe('opencodeRuntimeConfig', () => {
  const base: OpenCodeAgentConfig = { name: 'oc', kind: 'opencode', model: 'acme/coder-1' };
  const key = `{env:${OPENCODE_KEY_VARIABLE}}`;

  it('makes a custom OpenAI-compatible provider of a baseUrl, priced when told', () => {
    const config = opencodeRuntimeConfig({
      ...base,
      baseUrl: 'http://127.0.0.1:9/v1',
      pricing: { input: 3, output: 15, cacheWrite: 3.75 },
    });
    expect(config).toMatchObject({
      provider: {
        acme: {
          npm: '@ai-sdk/openai-compatible',
          options: { baseURL: 'http://127.0.0.1:9/v1', apiKey: key },
          models: {
            'coder-1': { name: 'coder-1', cost: { input: 3, output: 15, cache_write: 3.75 } },
          },
        },
      },
      model: 'acme/coder-1',
      small_model: 'acme/coder-1',
      share: 'disabled',
      autoupdate: false,
      permission: { external_directory: 'deny', doom_loop: 'deny' },
    });
    // The key is referenced by variable, never written into the configuration.
    expect(JSON.stringify(config)).not.toMatch(/sk-/);
  });

  it("keeps a built-in provider's catalogue and only hands it the key", () => {
    expect(opencodeRuntimeConfig(base).provider).toEqual({ acme: { options: { apiKey: key } } });
  });
});

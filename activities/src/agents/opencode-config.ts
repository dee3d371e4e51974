/**
 * An `opencode` agent entry: its validation (strict, like every kind: an unknown field is more
 * likely a typo, or a key pasted where its variable's name belongs, than something to ignore),
 * and the OpenCode configuration the adapter derives from it for each run.
 */
import {
  checkKnownFields,
  optionalAgentEnv,
  optionalBaseUrl,
  optionalKeyEnv,
  optionalString,
} from './config-fields.js';
import type { OpenCodeAgentConfig } from './types.js';

/** The npm package that installs OpenCode (its native executable comes as a dependency). */
export const OPENCODE_PACKAGE = 'opencode-ai';
export const DEFAULT_OPENCODE_API_KEY_ENV = 'OPENAI_API_KEY';
/** The npm package OpenCode builds a custom provider with (bundled in the CLI since 1.x). */
export const OPENAI_COMPATIBLE_PACKAGE = '@ai-sdk/openai-compatible';

const FIELDS = ['model', 'binary', 'baseUrl', 'apiKeyEnv', 'agent', 'pricing', 'env'];
const PRICES = ['input', 'output', 'cacheRead', 'cacheWrite'];

/**
 * Variables the adapter sets itself (isolation, the configuration, the server's password) or
 * that would change OpenCode's configuration behind the entry's back.
 */
const RESERVED_ENV = new Set([
  'HOME',
  'TMPDIR',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'XDG_STATE_HOME',
  'OPENCODE_CONFIG',
  'OPENCODE_CONFIG_CONTENT',
  'OPENCODE_CONFIG_DIR',
  'OPENCODE_SERVER_PASSWORD',
  'OPENCODE_SERVER_USERNAME',
  'OPENCODE_PERMISSION',
  'OPENCODE_PROVIDER_API_KEY',
]);

/** The variable the CLI reads the key from (its configuration names it, never the key). */
export const OPENCODE_KEY_VARIABLE = 'OPENCODE_PROVIDER_API_KEY';

export function parseOpenCodeConfig(
  entry: Record<string, unknown>,
  where: string,
): OpenCodeAgentConfig {
  checkKnownFields(entry, FIELDS, 'opencode', where, DEFAULT_OPENCODE_API_KEY_ENV);
  optionalString(entry, 'binary', where, true);
  optionalBaseUrl(entry, where, 'an OpenAI-compatible API (including /v1)');
  optionalKeyEnv(entry, where, DEFAULT_OPENCODE_API_KEY_ENV);
  optionalString(entry, 'agent', where, true);
  checkPricing(entry.pricing, `${where}.pricing`);
  optionalAgentEnv(entry, where, RESERVED_ENV);
  if (typeof entry.model !== 'string' || !/^[^/\s]+\/\S+$/.test(entry.model)) {
    throw new Error(
      `${where}.model: expected "provider/model" (e.g. "openai/gpt-4.1"; with baseUrl the ` +
        'provider part is any id you choose)',
    );
  }
  return entry as unknown as OpenCodeAgentConfig;
}

function checkPricing(value: unknown, at: string): void {
  if (value === undefined) return;
  const expected = `expected US dollars per million tokens, e.g. { "input": 3, "output": 15 }`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${at}: ${expected}`);
  }
  const prices = value as Record<string, unknown>;
  for (const [key, price] of Object.entries(prices)) {
    if (!PRICES.includes(key)) {
      throw new Error(`${at}.${key}: unknown price (expected ${PRICES.join(', ')})`);
    }
    if (typeof price !== 'number' || !Number.isFinite(price) || price < 0) {
      throw new Error(`${at}.${key}: ${expected}`);
    }
  }
  if (prices.input === undefined || prices.output === undefined) {
    throw new Error(`${at}: input and output are required (${expected})`);
  }
}

export function opencodeApiKeyEnv(config: OpenCodeAgentConfig): string {
  return config.apiKeyEnv ?? DEFAULT_OPENCODE_API_KEY_ENV;
}

/** `provider/model` split at the first slash (model ids may contain slashes themselves). */
export function splitModel(model: string): { providerID: string; modelID: string } {
  const slash = model.indexOf('/');
  return { providerID: model.slice(0, slash), modelID: model.slice(slash + 1) };
}

/**
 * OpenCode's configuration for a run, given inline (OPENCODE_CONFIG_CONTENT, which takes
 * precedence over the repository's own opencode.json for the keys it sets):
 *
 * - the provider: a custom OpenAI-compatible one at `baseUrl`, or a built-in one, with its key
 *   read from OPENCODE_KEY_VARIABLE in the CLI's environment (never written anywhere);
 * - the model for everything, small tasks included, so nothing else is ever called;
 * - no sharing, no self-update, no snapshots (the orchestrator commits the workspace itself);
 * - the permissions that would otherwise wait for a person denied: a step has nobody to ask.
 */
export function opencodeRuntimeConfig(config: OpenCodeAgentConfig): Record<string, unknown> {
  const apiKey = `{env:${OPENCODE_KEY_VARIABLE}}`;
  const { providerID, modelID } = splitModel(config.model);
  const cost = config.pricing ? { [modelID]: { cost: modelCost(config.pricing) } } : {};
  const provider = config.baseUrl
    ? {
        npm: OPENAI_COMPATIBLE_PACKAGE,
        name: providerID,
        options: { baseURL: config.baseUrl, apiKey },
        models: { [modelID]: { name: modelID, ...cost[modelID] } },
      }
    : {
        options: { apiKey },
        ...(config.pricing ? { models: cost } : {}),
      };
  return {
    $schema: 'https://opencode.ai/config.json',
    provider: { [providerID]: provider },
    model: config.model,
    small_model: config.model,
    share: 'disabled',
    autoupdate: false,
    snapshot: false,
    permission: { external_directory: 'deny', doom_loop: 'deny' },
  };
}

function modelCost(pricing: NonNullable<OpenCodeAgentConfig['pricing']>) {
  return {
    input: pricing.input,
    output: pricing.output,
    ...(pricing.cacheRead === undefined ? {} : { cache_read: pricing.cacheRead }),
    ...(pricing.cacheWrite === undefined ? {} : { cache_write: pricing.cacheWrite }),
  };
}

/**
 * The real OpenCode CLI for the agent tests, installed once per machine by the shared test
 * installer (agent-cli-install.ts; `opencode-ai` brings its native binary, about 177 MB, as an
 * optional dependency), and opencode agents configured against the scripted model server.
 *
 * Nothing else is fetched at run time: OpenCode 1.18 bundles `@ai-sdk/openai-compatible`, the
 * package its custom providers go through, and the adapter keeps it from installing its plugin
 * package into the isolated HOME (opencode-environment.ts).
 */
import type { OpenCodeAgentConfig } from '@orchestrator/activities/agents/types';
import { ensureAgentCli, type InstalledAgentCli } from './agent-cli-install.js';

/** `npm view opencode-ai version` when this was written; `@opencode-ai/sdk` is pinned to it. */
export const OPENCODE_VERSION = '1.18.33';
/** The environment variable the test agents name in apiKeyEnv (the key is made up per run). */
export const OPENCODE_TEST_KEY_ENV = 'IO_TEST_OPENCODE_KEY';
/** `provider/model`: a custom OpenAI-compatible provider on the scripted server. */
export const OPENCODE_TEST_MODEL = 'scripted/test-model';
/** Sonnet-like list prices, so the step's cost is known: 220 in + 27 out = $0.001065. */
export const OPENCODE_TEST_PRICING = { input: 3, output: 15 };

export type OpenCodeCli = InstalledAgentCli;

export function ensureOpenCodeCli(
  log: (line: string) => void = (line) => console.log(line),
): Promise<OpenCodeCli> {
  return ensureAgentCli(
    { name: 'opencode', package: 'opencode-ai', version: OPENCODE_VERSION, bin: 'opencode' },
    log,
  );
}

/** An opencode agent on the installed CLI and the scripted model server (`modelUrl`, no /v1). */
export function opencodeAgent(
  name: string,
  cli: OpenCodeCli,
  modelUrl: string,
  extra: Partial<OpenCodeAgentConfig> = {},
): OpenCodeAgentConfig {
  return {
    name,
    kind: 'opencode',
    description: 'OpenCode against the scripted model server',
    model: OPENCODE_TEST_MODEL,
    binary: cli.binary,
    baseUrl: `${modelUrl}/v1`,
    apiKeyEnv: OPENCODE_TEST_KEY_ENV,
    pricing: OPENCODE_TEST_PRICING,
    ...extra,
  };
}

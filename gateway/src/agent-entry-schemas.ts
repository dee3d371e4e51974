/**
 * An agent entry (AGENTS_FILE, POST/PUT /api/agents) in the OpenAPI document: one schema per
 * kind, chosen by `kind`, each closed to the fields that kind takes. The registry validates
 * entries with each kind's own parser (activities/src/agents/*-config.ts), which also checks
 * what JSON Schema cannot say (a base URL without credentials, env variables that look like
 * secrets or that the adapter sets itself); the patterns and enums here are the parsers' own,
 * and agent-entry-schemas.test.ts holds the two to the same answers.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ENV_NAME } from '@orchestrator/activities/agents/config-fields';
import {
  AGENT_NAME_PATTERN,
  CAPABILITY_PATTERN,
  CLAUDE_CODE_PERMISSION_MODES,
  CODEX_SANDBOX_MODES,
  type AgentKind,
} from '@orchestrator/activities/agents/types';

extendZodWithOpenApi(z);

/** Not empty and not only blanks (what the parsers' `trim() !== ''` accepts). */
const NOT_BLANK = /\S/;

const nonBlank = (description: string) =>
  z.string().regex(NOT_BLANK, 'expected a non-empty string').openapi({ description });

/** Fields every kind has (config-file.ts checks them). */
const common = {
  name: z
    .string()
    .regex(AGENT_NAME_PATTERN, 'Agent names are lowercase letters, digits and dashes')
    .openapi({ description: 'The task queue is `agent-<name>`', example: 'claude' }),
  description: z.string().optional().openapi({ description: 'Shown in the console' }),
  capabilities: z
    .array(z.string().regex(CAPABILITY_PATTERN, 'Capabilities are short lowercase words'))
    .optional()
    .openapi({ description: 'What it is good for; routing matches them', example: ['code'] }),
  maxConcurrency: z
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({ description: "Steps one worker runs at once (its slots on the agent's queue)" }),
  stallTimeoutMs: z.number().int().min(1).optional().openapi({
    description:
      'Milliseconds without output before the agent is stopped and the step retried (default 600000)',
  }),
};

/**
 * A CLI agent's extra environment (optionalAgentEnv in config-fields.ts). `propertyNames` is
 * JSON Schema the generator does not write for a record's key: passed on as it is.
 */
const envDocument = {
  propertyNames: { pattern: ENV_NAME.source },
  description:
    'Extra, non-secret environment for the CLI. Secret-looking names and `sk-` values are ' +
    'refused (name the key variable in `apiKeyEnv`), as are variables the adapter sets ' +
    'itself (HOME, XDG_*, …) and ORCHESTRATOR_*',
};
const env = z
  .record(z.string().regex(ENV_NAME, 'expected an environment variable name'), z.string())
  .optional()
  .openapi(envDocument);

const binary = nonBlank(
  'Path or command name of the CLI (default: the CLI on the worker PATH)',
).optional();

const baseUrl = (what: string) =>
  z
    .string()
    .optional()
    .openapi({
      description: `http(s) URL of ${what}, without credentials (those go through apiKeyEnv)`,
      example: 'https://llm.example.com/v1',
    });

const apiKeyEnv = (defaultName: string) =>
  z
    .string()
    .regex(ENV_NAME, 'expected the NAME of an environment variable')
    .optional()
    .openapi({
      description: `NAME of the worker's variable holding the API key (default ${defaultName}); never the key`,
      example: defaultName,
    });

const kind = <K extends AgentKind>(value: K) => z.literal(value);

export const CommandAgentEntrySchema = z
  .strictObject({
    ...common,
    kind: kind('command'),
    command: z
      .array(z.string())
      .min(1)
      .openapi({
        description:
          'argv, run in the workspace (no shell unless argv says so); the goal is in ORCHESTRATOR_GOAL',
        example: ['npm', 'run', 'lint', '--', '--fix'],
      }),
    // A command's environment is the operator's: taken as it is (no name or secret checks).
    env: z
      .record(z.string(), z.string())
      .optional()
      .openapi({ description: 'Extra environment for the command' }),
    retryOnNonZeroExit: z
      .boolean()
      .optional()
      .openapi({ description: 'Let Temporal retry a non-zero exit (default false)' }),
  })
  .openapi('CommandAgentEntry');

export const ClaudeCodeAgentEntrySchema = z
  .strictObject({
    ...common,
    kind: kind('claude-code'),
    model: nonBlank('`--model`: an alias or a full model name').openapi({ example: 'sonnet' }),
    binary,
    baseUrl: baseUrl('an Anthropic-compatible API (ANTHROPIC_BASE_URL)'),
    apiKeyEnv: apiKeyEnv('ANTHROPIC_API_KEY'),
    maxTurns: z.number().int().min(1).optional().openapi({ description: '`--max-turns`' }),
    allowedTools: z
      .array(z.string().regex(NOT_BLANK, 'expected a non-empty rule'))
      .optional()
      .openapi({ description: '`--allowedTools` rules', example: ['Bash(npm test)'] }),
    permissionMode: z
      .enum(CLAUDE_CODE_PERMISSION_MODES)
      .optional()
      .openapi({ description: 'Default acceptEdits; bypassPermissions needs a non-root worker' }),
    env,
  })
  .openapi('ClaudeCodeAgentEntry');

export const CodexAgentEntrySchema = z
  .strictObject({
    ...common,
    kind: kind('codex'),
    model: nonBlank('Model name sent to the Responses API').openapi({ example: 'gpt-5.5' }),
    binary,
    baseUrl: baseUrl('an OpenAI Responses API, including /v1'),
    apiKeyEnv: apiKeyEnv('OPENAI_API_KEY'),
    sandbox: z
      .enum(CODEX_SANDBOX_MODES)
      .optional()
      .openapi({ description: "Codex's sandbox_mode (default workspace-write)" }),
    maxRetries: z
      .number()
      .int()
      .min(0)
      .optional()
      .openapi({ description: "Codex's own request and stream retries (0 turns them off)" }),
    env,
  })
  .openapi('CodexAgentEntry');

const price = z.number().min(0);

export const OpenCodeAgentEntrySchema = z
  .strictObject({
    ...common,
    kind: kind('opencode'),
    model: z
      .string()
      .regex(/^[^/\s]+\/\S+$/, 'expected "provider/model"')
      .openapi({
        description: '`provider/model`; with baseUrl the provider part is any id you choose',
        example: 'acme/coder-1',
      }),
    binary,
    baseUrl: baseUrl('an OpenAI-compatible API, including /v1'),
    apiKeyEnv: apiKeyEnv('OPENAI_API_KEY'),
    agent: nonBlank("OpenCode's agent the prompt goes to (default build)").optional(),
    pricing: z
      .strictObject({
        input: price,
        output: price,
        cacheRead: price.optional(),
        cacheWrite: price.optional(),
      })
      .optional()
      .openapi({
        description: 'US dollars per million tokens (a custom model has no price without it)',
        example: { input: 3, output: 15 },
      }),
    env,
  })
  .openapi('OpenCodeAgentEntry');

/** Every kind's schema; a kind added to AgentConfig without one here fails to compile. */
const BY_KIND = {
  command: CommandAgentEntrySchema,
  'claude-code': ClaudeCodeAgentEntrySchema,
  codex: CodexAgentEntrySchema,
  opencode: OpenCodeAgentEntrySchema,
} satisfies Record<AgentKind, z.ZodType>;

export const AgentEntrySchema = z
  .discriminatedUnion('kind', [
    BY_KIND.command,
    BY_KIND['claude-code'],
    BY_KIND.codex,
    BY_KIND.opencode,
  ])
  .openapi('AgentEntry', {
    description:
      "An agent entry: the fields every kind has plus the kind's own (activities/README.md). " +
      'Secrets are never accepted: name the environment variable instead.',
  });

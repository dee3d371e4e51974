/**
 * The OpenAPI document's agent entry against the registry's validator (the kinds' own parsers):
 * a full entry of each kind passes both, and a field wrong for a kind is refused by both. The
 * document side is the JSON Schema of /api/openapi.json itself (refs inlined, read back with
 * z.fromJSONSchema as a client would), not the zod source it was generated from.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AGENT_KINDS } from '@orchestrator/activities/agents/adapters';
import { defaultAgents } from '@orchestrator/activities/agents/defaults';
import { parseAgentConfigs } from '@orchestrator/activities/agents/config-file';
import type { AgentKind } from '@orchestrator/activities/agents/types';
import { buildOpenApiDocument } from './openapi.js';

type Schema = Record<string, unknown>;
const document = buildOpenApiDocument('test') as unknown as {
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, Schema> } }>>;
  components: { schemas: Record<string, Schema> };
};
const schemas = document.components.schemas;

function inline(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inline);
  if (value === null || typeof value !== 'object') return value;
  const ref = (value as { $ref?: unknown }).$ref;
  const target =
    typeof ref === 'string' ? schemas[ref.replace('#/components/schemas/', '')] : value;
  if (!target) throw new Error(`unresolved ${String(ref)}`);
  return Object.fromEntries(Object.entries(target).map(([key, item]) => [key, inline(item)]));
}

const bodyOf = (path: string, method: string) =>
  document.paths[path]?.[method]?.requestBody?.content['application/json']?.schema;
const entrySchema = z.fromJSONSchema(
  inline(bodyOf('/api/agents', 'post')) as Parameters<typeof z.fromJSONSchema>[0],
);

const byDocument = (entry: unknown) => entrySchema.safeParse(entry).success;
const byValidator = (entry: unknown) => {
  try {
    parseAgentConfigs([entry], 'body');
    return true;
  } catch {
    return false;
  }
};

/** The fields every kind has (besides name and kind). */
const common = {
  description: 'an agent',
  capabilities: ['test', 'lint-fix'],
  maxConcurrency: 2,
  stallTimeoutMs: 60_000,
};

/** Every field each kind takes, set. */
const full: Record<AgentKind, Record<string, unknown>> = {
  command: {
    name: 'lint',
    kind: 'command',
    ...common,
    command: ['npm', 'run', 'lint'],
    env: { NODE_OPTIONS: '--max-old-space-size=512' },
    retryOnNonZeroExit: true,
  },
  'claude-code': {
    name: 'claude',
    kind: 'claude-code',
    ...common,
    model: 'sonnet',
    binary: '/usr/local/bin/claude',
    baseUrl: 'https://llm.example.com/anthropic',
    apiKeyEnv: 'TEAM_ANTHROPIC_KEY',
    maxTurns: 20,
    allowedTools: ['Bash(npm test)'],
    permissionMode: 'dontAsk',
    env: { CLAUDE_CODE_MAX_RETRIES: '2' },
  },
  codex: {
    name: 'codex',
    kind: 'codex',
    ...common,
    model: 'gpt-5.5',
    binary: 'codex',
    baseUrl: 'https://llm.example.com/v1',
    apiKeyEnv: 'OPENAI_API_KEY',
    sandbox: 'read-only',
    maxRetries: 0,
    env: { RUST_LOG: 'warn' },
  },
  opencode: {
    name: 'opencode',
    kind: 'opencode',
    ...common,
    model: 'acme/coder-1',
    binary: 'opencode',
    baseUrl: 'https://llm.example.com/v1',
    apiKeyEnv: 'ACME_API_KEY',
    agent: 'build',
    pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    env: { LOG_LEVEL: 'warn' },
  },
};

const kindSchema = (kind: AgentKind) => {
  const mapping = (schemas.AgentEntry?.discriminator as { mapping: Record<string, string> })
    .mapping;
  return inline({ $ref: mapping[kind] }) as {
    properties: Record<string, unknown>;
    required: string[];
  };
};

describe('the agent entry in the OpenAPI document', () => {
  it('is one schema per kind, chosen by kind, for POST and PUT alike', () => {
    expect(bodyOf('/api/agents', 'post')).toEqual({ $ref: '#/components/schemas/AgentEntry' });
    expect(bodyOf('/api/agents/{name}', 'put')).toEqual(bodyOf('/api/agents', 'post'));
    expect(schemas.AgentEntry?.oneOf).toHaveLength(AGENT_KINDS.length);
    const mapping = (schemas.AgentEntry?.discriminator as { propertyName: string; mapping: object })
      .mapping;
    expect(Object.keys(mapping).sort()).toEqual([...AGENT_KINDS].sort());
    for (const kind of AGENT_KINDS) {
      expect(inline({ $ref: (mapping as Record<string, string>)[kind] })).toMatchObject({
        additionalProperties: false,
        properties: { kind: { enum: [kind] } },
      });
    }
  });

  it.each(AGENT_KINDS)('lists exactly the %s fields the validator takes', (kind) => {
    expect(Object.keys(kindSchema(kind).properties).sort()).toEqual(Object.keys(full[kind]).sort());
    // Every one of them set: both accept.
    expect(byValidator(full[kind])).toBe(true);
    expect(byDocument(full[kind])).toBe(true);
    // The least: what the document requires is what the validator requires.
    const least = Object.fromEntries(
      kindSchema(kind).required.map((key) => [key, full[kind][key]]),
    );
    expect(byValidator(least)).toBe(true);
    expect(byDocument(least)).toBe(true);
    for (const key of kindSchema(kind).required.filter((key) => key !== 'kind')) {
      const { [key]: _dropped, ...without } = least;
      expect([key, byValidator(without), byDocument(without)]).toEqual([key, false, false]);
    }
  });

  it.each(AGENT_KINDS)("refuses another kind's fields for %s, in both", (kind) => {
    const own = new Set(Object.keys(kindSchema(kind).properties));
    const foreign = AGENT_KINDS.flatMap((other) =>
      Object.entries(full[other]).filter(([key]) => !own.has(key)),
    );
    expect(foreign.length).toBeGreaterThan(0);
    for (const [key, value] of foreign) {
      const entry = { ...full[kind], [key]: value };
      expect([key, byValidator(entry), byDocument(entry)]).toEqual([key, false, false]);
    }
  });

  it('describes the agents seeded on first start (GET /api/agents returns them as config)', () => {
    for (const agent of defaultAgents()) {
      expect([agent.name, byValidator(agent), byDocument(agent)]).toEqual([agent.name, true, true]);
    }
  });

  const wrong: Array<[AgentKind, string, unknown]> = [
    ['command', 'command', []],
    ['command', 'command', 'npm run lint'],
    ['command', 'retryOnNonZeroExit', 'yes'],
    ['command', 'capabilities', ['Code']],
    ['command', 'maxConcurrency', 0],
    ['command', 'stallTimeoutMs', 1.5],
    ['command', 'name', 'Lint'],
    ['command', 'apiKey', 'sk-secret'],
    ['command', 'env', { NODE_OPTIONS: 1 }],
    ['claude-code', 'model', '  '],
    ['claude-code', 'permissionMode', 'yolo'],
    ['claude-code', 'maxTurns', 0],
    ['claude-code', 'allowedTools', ['']],
    ['claude-code', 'apiKeyEnv', 'sk-ant-123'],
    ['claude-code', 'binary', ''],
    ['claude-code', 'env', { '1BAD': 'x' }],
    ['claude-code', 'env', { DEBUG: 2 }],
    ['codex', 'sandbox', 'none'],
    ['codex', 'maxRetries', -1],
    ['codex', 'model', 7],
    ['opencode', 'model', 'no-provider'],
    ['opencode', 'pricing', { input: 3 }],
    ['opencode', 'pricing', { input: 3, output: 15, discount: 1 }],
    ['opencode', 'pricing', { input: -1, output: 15 }],
    ['opencode', 'agent', ' '],
    ['opencode', 'kind', 'open-code'],
  ];
  it.each(wrong)('refuses %s with %s = %j, in both', (kind, key, value) => {
    const entry = { ...full[kind], [key]: value };
    expect([byValidator(entry), byDocument(entry)]).toEqual([false, false]);
  });
});

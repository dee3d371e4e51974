/**
 * The chart's values.schema.json, generated from values.yaml so the two cannot drift:
 *
 *   node --import tsx deploy/tools/values-schema.ts          print the schema
 *   node --import tsx deploy/tools/values-schema.ts --write  write values.schema.json
 *
 * Helm checks the values of every install, upgrade, lint and template against it, so a typo in
 * a key, a string where a number belongs or a value outside its choices stops the release before
 * anything reaches the cluster, naming the value. Each documented value (values-table.ts) is one
 * property: its type is its default's, its description its `# --` comment, narrowed by
 * REFINEMENTS below (choices, ranges, patterns). Maps of documented keys admit no other key;
 * `temporal` is the official Temporal chart's own values and stays open. tests/deploy checks that
 * the file is current and that helm refuses values the schema forbids.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { documentValues, VALUES_FILE, type ValueRow } from './values-table.js';

export const SCHEMA_FILE = fileURLToPath(
  new URL('../helm/industrial-orchestrator/values.schema.json', import.meta.url),
);

type Schema = Record<string, unknown>;

const PORT: Schema = { minimum: 1, maximum: 65535 };
const EMPTY_OR_COUNT: Schema = { type: ['string', 'integer'], pattern: '^[0-9]*$', minimum: 1 };
const ENV_VALUES: Schema = { additionalProperties: { type: ['string', 'number', 'boolean'] } };

/**
 * What a default cannot say. Keys are dotted paths; `*` stands for one segment. A refinement
 * replaces the derived schema's fields it names. The choices that templates/validate.yaml
 * checks (config.authRequired, *.podAntiAffinity, worker.workspaces.type) are left to it: its
 * messages say why, and helm stops at the schema's first.
 */
const REFINEMENTS: Record<string, Schema> = {
  'config.authRequired': { type: ['string', 'boolean'] },
  'config.logLevel': { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
  'config.logFormat': { enum: ['json', 'pretty'] },
  'config.agentHeartbeatTimeoutMs': { minimum: 1000 },
  'config.agentStepTimeoutMs': EMPTY_OR_COUNT,
  'config.agents': {
    items: {
      type: 'object',
      required: ['name', 'kind'],
      properties: {
        name: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' },
        kind: { type: 'string' },
      },
    },
  },
  'config.extraEnv': ENV_VALUES,
  'tracing.endpoint': { pattern: '^(https?://[^/\\s]+.*)?$' },
  'tracing.protocol': { enum: ['http/protobuf', 'http/json', 'grpc'] },
  'tracing.sampler': {
    enum: [
      'always_on',
      'always_off',
      'traceidratio',
      'parentbased_always_on',
      'parentbased_always_off',
      'parentbased_traceidratio',
    ],
  },
  'tracing.samplerArg': { type: ['string', 'number'] },
  'tracing.resourceAttributes': ENV_VALUES,
  '*.image.pullPolicy': { enum: ['Always', 'IfNotPresent', 'Never'] },
  '*.image.digest': { pattern: '^(sha256:[a-f0-9]{64})?$' },
  '*.replicaCount': { minimum: 0 },
  'gateway.port': PORT,
  'gateway.service.port': PORT,
  'gateway.service.type': { enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] },
  'worker.metrics.port': PORT,
  'worker.metrics.sdkPort': { minimum: 0, maximum: 65535 },
  '*.autoscaling.minReplicas': { minimum: 1 },
  '*.autoscaling.maxReplicas': { minimum: 1 },
  '*.autoscaling.targetCPUUtilizationPercentage': { minimum: 1 },
  '*.autoscaling.targetMemoryUtilizationPercentage': EMPTY_OR_COUNT,
  '*.terminationGracePeriodSeconds': { minimum: 0 },
  'ingress.rateLimit.rps': { minimum: 1 },
  'networkPolicy.egress.ports': { items: { type: 'integer', ...PORT } },
};

/** Maps whose keys belong to someone else: any key is allowed besides the documented ones. */
const OPEN_MAPS = new Set(['temporal']);

function refinementOf(key: string): Schema | undefined {
  const segments = key.split('.');
  for (const [pattern, schema] of Object.entries(REFINEMENTS)) {
    const parts = pattern.split('.');
    if (parts.length === segments.length && parts.every((p, i) => p === '*' || p === segments[i]))
      return schema;
  }
  return undefined;
}

function typeSchema(value: unknown): Schema {
  if (Array.isArray(value)) return { type: 'array' };
  if (value !== null && typeof value === 'object') return { type: 'object' };
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  return { type: 'string' };
}

interface ObjectSchema extends Schema {
  type: 'object';
  properties: Record<string, Schema>;
  additionalProperties: boolean;
}

function objectSchema(open: boolean): ObjectSchema {
  return { type: 'object', properties: {}, additionalProperties: open };
}

export function valuesSchema(rows: ValueRow[]): Schema {
  const root = objectSchema(false);
  // Helm adds `global` to the values of a chart with dependencies.
  root.properties.global = { type: 'object', description: "Helm's values shared with subcharts." };
  for (const row of rows) {
    const segments = row.key.split('.');
    let parent = root;
    segments.slice(0, -1).forEach((segment, index) => {
      const path = segments.slice(0, index + 1).join('.');
      parent.properties[segment] ??= objectSchema(OPEN_MAPS.has(path));
      parent = parent.properties[segment] as ObjectSchema;
    });
    parent.properties[segments.at(-1)!] = {
      ...typeSchema(row.value),
      description: row.description,
      ...refinementOf(row.key),
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'industrial-orchestrator chart values',
    description:
      'Generated from values.yaml by deploy/tools/values-schema.ts; regenerate it after changing values.yaml.',
    ...root,
  };
}

/** The schema of the current values.yaml. */
export async function currentValuesSchema(): Promise<Schema> {
  const { rows, undocumented } = documentValues(await readFile(VALUES_FILE, 'utf8'));
  if (undocumented.length > 0) {
    throw new Error(
      `values.yaml has undocumented values (add a "# -- …" comment): ${undocumented.join(', ')}`,
    );
  }
  return valuesSchema(rows);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = `${JSON.stringify(await currentValuesSchema(), null, 2)}\n`;
  if (process.argv.includes('--write')) {
    await writeFile(SCHEMA_FILE, text);
    console.error(`Wrote ${SCHEMA_FILE}; run prettier --write on it.`);
  } else {
    process.stdout.write(text);
  }
}

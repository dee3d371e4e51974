/**
 * The gateway's REST operations as its OpenAPI document describes them: method, path template,
 * path and query parameters, request body and response schemas. The fuzzer covers exactly this
 * list, so a route that is served but not documented shows up as a coverage gap, and a documented
 * one is fuzzed the day it is added.
 */
import { z } from 'zod';
import { schemaResolver, type JsonSchema, type SchemaResolver } from './schema-values.js';

export interface Parameter {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  /** `POST /api/sessions/{id}/stop` */
  key: string;
  method: string;
  /** Path template with `{name}` placeholders. */
  path: string;
  params: Parameter[];
  query: Parameter[];
  body: JsonSchema | null;
  secured: boolean;
  /** Whether its 400 answer is documented to name each bad field (all of them, not the first). */
  namesEachBadField: boolean;
  /** Every documented status. */
  statuses: Set<number>;
  /** Status → schema of the JSON answer, for the documented success answers with a body. */
  responses: Map<number, z.ZodType>;
}

interface OpenApiOperation {
  security?: unknown[];
  parameters?: Array<{ name: string; in: string; required?: boolean; schema: JsonSchema }>;
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
  responses?: Record<
    string,
    { description?: string; content?: Record<string, { schema: JsonSchema }> }
  >;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

/**
 * Replaces `$ref`s by their targets. A recursive schema (a task tree's node holds nodes) is
 * inlined once; below that, the inner reference accepts anything.
 */
function inline(
  value: unknown,
  resolve: SchemaResolver,
  open: ReadonlySet<string> = new Set(),
): unknown {
  if (Array.isArray(value)) return value.map((item) => inline(item, resolve, open));
  if (value === null || typeof value !== 'object') return value;
  const ref = (value as { $ref?: unknown }).$ref;
  if (typeof ref === 'string' && open.has(ref)) return {};
  const inner = typeof ref === 'string' ? new Set([...open, ref]) : open;
  const schema = resolve(value as JsonSchema);
  return Object.fromEntries(
    Object.entries(schema).map(([key, item]) => [key, inline(item, resolve, inner)]),
  );
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

export function operationsFrom(document: OpenApiDocument): {
  operations: Operation[];
  resolve: SchemaResolver;
} {
  const resolve = schemaResolver(document.components?.schemas ?? {});
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const parameters = operation.parameters ?? [];
      const pick = (where: string) =>
        parameters
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name, required: p.required ?? false, schema: p.schema }));
      const requestBody = operation.requestBody?.content?.['application/json']?.schema;
      const responses = new Map<number, z.ZodType>();
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const schema = response.content?.['application/json']?.schema;
        if (Number(status) < 300 && schema) {
          responses.set(
            Number(status),
            z.fromJSONSchema(inline(schema, resolve) as Parameters<typeof z.fromJSONSchema>[0]),
          );
        }
      }
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        params: pick('path'),
        query: pick('query'),
        body: requestBody ? (inline(requestBody, resolve) as JsonSchema) : null,
        secured: (operation.security?.length ?? 0) > 0,
        namesEachBadField: /each bad field/i.test(operation.responses?.['400']?.description ?? ''),
        statuses: new Set(Object.keys(operation.responses ?? {}).map(Number)),
        responses,
      });
    }
  }
  return { operations, resolve };
}

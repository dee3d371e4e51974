/**
 * fast-check arbitraries from the JSON Schemas of the gateway's own OpenAPI document: values a
 * schema accepts, and values it certainly refuses. Driving the fuzzer from the document means a
 * route added to it (with its schemas) is fuzzed without touching the fuzzer.
 */
import fc from 'fast-check';
import { anyText } from './nasty-values.js';

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  default?: unknown;
  example?: unknown;
}

/** Resolves `#/components/schemas/<name>` references against one OpenAPI document. */
export type SchemaResolver = (schema: JsonSchema) => JsonSchema;

export function schemaResolver(components: Record<string, JsonSchema>): SchemaResolver {
  const resolve: SchemaResolver = (schema) => {
    if (!schema.$ref) return schema;
    const name = schema.$ref.replace('#/components/schemas/', '');
    const target = components[name];
    if (!target) throw new Error(`OpenAPI document refers to unknown schema ${schema.$ref}`);
    return resolve(target);
  };
  return resolve;
}

/** JSON Schema patterns are ECMA-262 with unicode semantics (`\p{…}`) where they compile so. */
function patternOf(source: string): RegExp {
  try {
    return new RegExp(source, 'u');
  } catch {
    return new RegExp(source);
  }
}

/**
 * Strings matching a documented pattern. A pattern nothing can match (a documentation bug) fails
 * here, loudly, instead of looping forever in a filter.
 */
function matching(source: string, schema: JsonSchema): fc.Arbitrary<string> {
  const pattern = patternOf(source);
  // Unicode property classes make fast-check's regex generator slow to build: draw text and
  // keep what matches (such classes are broad, e.g. "no control characters").
  const generated = source.includes('\\p{')
    ? fc.string({ unit: 'grapheme', minLength: 1, maxLength: schema.maxLength ?? 30 })
    : fc.stringMatching(pattern);
  const tries = fc.sample(generated, { numRuns: 100, seed: 42 });
  if (!tries.some((value) => pattern.test(value))) {
    throw new Error(
      `The OpenAPI document's pattern ${JSON.stringify(source)} matches none of 100 strings drawn ` +
        'for it: the document misstates the rule. Fix the schema (or its .openapi() pattern).',
    );
  }
  return generated.filter((value) => pattern.test(value));
}

function types(schema: JsonSchema): string[] {
  if (schema.type === undefined) return [];
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

const SAMPLE_OF_TYPE: Record<string, fc.Arbitrary<unknown>> = {
  string: fc.string({ maxLength: 10 }),
  number: fc.double({ noNaN: true, noDefaultInfinity: true }),
  integer: fc.integer(),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  object: fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 1 }), {
    maxKeys: 3,
  }),
};

/** Strings whose length (UTF-16 units, as zod counts) fits the schema. */
function validString(schema: JsonSchema): fc.Arbitrary<string> {
  if (schema.enum) return fc.constantFrom(...(schema.enum as string[]));
  if (schema.format === 'date-time') {
    return fc
      .date({
        min: new Date('1970-01-01T00:00:00Z'),
        max: new Date('9999-12-31T23:59:59Z'),
        noInvalidDate: true,
      })
      .map((date) => date.toISOString());
  }
  if (schema.pattern) return matching(schema.pattern, schema);
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 64, minLength + 300);
  const ascii = fc.string({ minLength, maxLength });
  const unicode = fc.string({ unit: 'grapheme', minLength, maxLength });
  const atMost = (value: string) => value.length <= (schema.maxLength ?? Infinity);
  return fc.oneof(ascii, unicode.filter(atMost));
}

function validNumber(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? (schema.exclusiveMinimum ?? -1e9) + (integer ? 1 : 1e-9);
  const max = schema.maximum ?? (schema.exclusiveMaximum ?? 1e9) - (integer ? 1 : 1e-9);
  return integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true });
}

/** A value the schema accepts. */
export function validValue(schema: JsonSchema, resolve: SchemaResolver): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if ('const' in s) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((alt) => validValue(alt, resolve)));
  const kinds = types(s);
  if (kinds.length === 0) return fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(
    ...kinds.map((kind): fc.Arbitrary<unknown> => {
      switch (kind) {
        case 'string':
          return validString(s);
        case 'integer':
          return validNumber(s, true);
        case 'number':
          return validNumber(s, false);
        case 'array':
          return fc.array(s.items ? validValue(s.items, resolve) : fc.jsonValue(), {
            minLength: s.minItems ?? 0,
            maxLength: Math.min(s.maxItems ?? 4, (s.minItems ?? 0) + 4),
          });
        case 'object':
          return validObject(s, resolve);
        default:
          return SAMPLE_OF_TYPE[kind] ?? fc.constant(null);
      }
    }),
  );
}

function validObject(
  schema: JsonSchema,
  resolve: SchemaResolver,
): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(properties).map(([key, property]) => {
    const value = validValue(property, resolve);
    return [
      key,
      required.has(key)
        ? value.map((v) => ({ v }))
        : fc.option(
            value.map((v) => ({ v })),
            { nil: undefined },
          ),
    ] as const;
  });
  return fc.tuple(...entries.map(([, arbitrary]) => arbitrary)).map((values) => {
    const object: Record<string, unknown> = {};
    values.forEach((wrapped, index) => {
      if (wrapped) object[entries[index]![0]] = wrapped.v;
    });
    return object;
  });
}

/** A value the schema refuses for sure, or null when no such value is known. */
export function invalidValue(
  schema: JsonSchema,
  resolve: SchemaResolver,
): fc.Arbitrary<unknown> | null {
  const s = resolve(schema);
  if (s.anyOf ?? s.oneOf ?? s.allOf) return null;
  const kinds = types(s);
  if (kinds.length === 0 && !s.enum) return null;
  const options: fc.Arbitrary<unknown>[] = [];
  // The wrong JSON type (integers are numbers too).
  const accepted = new Set(kinds.includes('number') ? [...kinds, 'integer'] : kinds);
  const wrongTypes = Object.keys(SAMPLE_OF_TYPE).filter(
    (kind) => !accepted.has(kind) && !(kind === 'integer' && accepted.has('number')),
  );
  if (kinds.length > 0 && wrongTypes.length > 0) {
    options.push(fc.constantFrom(...wrongTypes).chain((kind) => SAMPLE_OF_TYPE[kind]!));
  }
  const strings = invalidString(s, resolve);
  if (strings) options.push(strings);
  if (kinds.includes('integer') || kinds.includes('number')) {
    if (s.maximum !== undefined)
      options.push(fc.integer({ min: 1, max: 1e6 }).map((d) => s.maximum! + d));
    if (s.minimum !== undefined)
      options.push(fc.integer({ min: 1, max: 1e6 }).map((d) => s.minimum! - d));
    if (kinds.includes('integer') && !kinds.includes('number')) {
      const low = s.minimum ?? -1e6;
      options.push(
        fc.integer({ min: Math.ceil(low), max: Math.ceil(low) + 50 }).map((n) => n + 0.5),
      );
    }
  }
  return options.length > 0 ? fc.oneof(...options) : null;
}

/** An ISO 8601 instant, as `z.iso.datetime({ offset: true })` reads one. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** A string the schema refuses for sure (for query and path values, which are always text). */
export function invalidString(
  schema: JsonSchema,
  resolve: SchemaResolver,
): fc.Arbitrary<string> | null {
  const s = resolve(schema);
  if (!types(s).includes('string') && !s.enum) return null;
  const options: fc.Arbitrary<string>[] = [];
  if (s.enum) {
    const allowed = new Set(s.enum);
    options.push(anyText.filter((value) => !allowed.has(value)));
  } else if (s.pattern) {
    const pattern = patternOf(s.pattern);
    options.push(anyText.filter((value) => !pattern.test(value)));
  } else if (s.format === 'date-time') {
    options.push(anyText.filter((value) => !ISO_INSTANT.test(value)));
  }
  if (s.maxLength !== undefined && s.maxLength < 100_000) {
    options.push(fc.integer({ min: 1, max: 50 }).map((extra) => 'x'.repeat(s.maxLength! + extra)));
  }
  if (s.minLength !== undefined && s.minLength > 0) {
    options.push(fc.string({ maxLength: s.minLength - 1 }));
  }
  return options.length > 0 ? fc.oneof(...options) : null;
}

/**
 * One fuzz case = one HTTP request against a documented operation (or an undocumented path),
 * built field by field from the operation's schemas: each field is valid, a hint (a value that
 * exists on the server: a session id, an agent name), certainly invalid, missing, or nasty.
 * The case remembers which fields it made certainly invalid, so the oracle can require that
 * the gateway refuses it and names them.
 */
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { anyJson, anyText, isNotJson, nastyString } from './nasty-values.js';
import type { Operation, Parameter } from './operations.js';
import {
  invalidString,
  invalidValue,
  validValue,
  type JsonSchema,
  type SchemaResolver,
} from './schema-values.js';

export type AuthKind = 'valid' | 'missing' | 'bad';

export interface HttpCase {
  /** The operation's key, or `undocumented`. */
  label: string;
  operation: Operation | null;
  method: string;
  /** Path and query exactly as they go on the request line. */
  target: string;
  headers: Record<string, string>;
  body: Buffer | null;
  /** The body as written, before any compression. */
  bodyText?: string;
  /** Fields this case made certainly invalid: `body`, `body.title`, `query.limit`, `params.id`, `headers.content-type`. */
  invalid: string[];
  /** Whether some field holds a random value that may or may not be valid. */
  doubtful: boolean;
  /** False when a raw path segment may route the request elsewhere. */
  routed: boolean;
  auth: AuthKind;
  /** Set when only one answer is right (e.g. 413 for an oversized body). */
  expectStatus?: number;
}

/** How fast-check prints a case in a failure report: the request, not the schemas behind it. */
function printable(testCase: HttpCase): HttpCase {
  Object.defineProperty(testCase, fc.toStringMethod, {
    value: () => {
      const body = testCase.body
        ? ` body(${testCase.body.length} B)=${testCase.body.toString('utf8').slice(0, 300)}`
        : '';
      return (
        `${testCase.method} ${testCase.target.slice(0, 300)} headers=${JSON.stringify(testCase.headers)}` +
        `${body} auth=${testCase.auth} invalid=[${testCase.invalid.join(', ')}]`
      );
    },
  });
  return testCase;
}

/** Values that exist on the server, by field name (`id`, `agent`, `repository`, `after`). */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

/** The hints for one operation (an `id` is a session's on one route, a token's on another). */
export type HintsFor = (operation: Operation) => Hints;

/** The JSON body limit of the gateway (app.ts: express.json({ limit: '64kb' })). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** clean: valid or a hint; invalid: certainly refused; doubtful: random, may be either. */
type FieldState = 'clean' | 'invalid' | 'doubtful';

interface Field<T> {
  value: T | undefined;
  state: FieldState;
}

const keep = <T>(value: T): Field<T> => ({ value, state: 'clean' });
const bad = <T>(value: T): Field<T> => ({ value, state: 'invalid' });
const doubt = <T>(value: T): Field<T> => ({ value, state: 'doubtful' });

/** One field's value: valid, hinted, certainly invalid, missing or nasty. */
function fieldValue(
  name: string,
  schema: JsonSchema,
  required: boolean,
  resolve: SchemaResolver,
  hints: Hints,
): fc.Arbitrary<Field<unknown>> {
  const invalid = invalidValue(schema, resolve);
  const hint = hints[name];
  return fc.oneof(
    { weight: 5, arbitrary: validValue(schema, resolve).map(keep) },
    ...(hint ? [{ weight: 3, arbitrary: hint.map(keep) }] : []),
    ...(invalid ? [{ weight: 2, arbitrary: invalid.map(bad) }] : []),
    // Optional fields are often left out, as clients do (and some exclude each other).
    {
      weight: required ? 1 : 6,
      arbitrary: fc.constant(required ? bad(undefined) : keep(undefined)),
    },
    { weight: 1, arbitrary: anyJson.map(doubt) },
  );
}

/** Query values are strings: numbers are written out, "wrong type" means unparseable text. */
function queryValue(
  parameter: Parameter,
  resolve: SchemaResolver,
  hints: Hints,
): fc.Arbitrary<Field<string | string[]>> {
  const schema = resolve(parameter.schema);
  const numeric = schema.type === 'integer' || schema.type === 'number';
  const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const invalidText: fc.Arbitrary<string>[] = [];
  if (numeric) {
    invalidText.push(fc.stringMatching(/^[a-z]{1,6}$/));
    if (schema.maximum !== undefined) {
      invalidText.push(fc.integer({ min: 1, max: 1e9 }).map((d) => String(schema.maximum! + d)));
    }
    if (schema.minimum !== undefined) {
      invalidText.push(fc.integer({ min: 1, max: 1e9 }).map((d) => String(schema.minimum! - d)));
    }
    if (schema.type === 'integer') invalidText.push(fc.nat(99).map((n) => `${n + 1}.5`));
  } else {
    const invalid = invalidString(schema, resolve);
    if (invalid) invalidText.push(invalid);
  }
  const hint = hints[parameter.name];
  const valid = validValue(schema, resolve).map(asText);
  return fc.oneof(
    // Mostly absent or valid, so that requests with several parameters still get through.
    { weight: 6, arbitrary: fc.constant(keep<string>(undefined as unknown as string)) },
    { weight: 4, arbitrary: valid.map((v) => keep<string | string[]>(v)) },
    ...(hint
      ? [{ weight: 2, arbitrary: hint.map((v) => keep<string | string[]>(asText(v))) }]
      : []),
    ...(invalidText.length > 0
      ? [{ weight: 1, arbitrary: fc.oneof(...invalidText).map((v) => bad<string | string[]>(v)) }]
      : []),
    // A repeated key arrives as an array where one value is expected.
    { weight: 1, arbitrary: fc.tuple(valid, valid).map((pair) => bad<string | string[]>(pair)) },
    { weight: 1, arbitrary: nastyString.map((v) => doubt<string | string[]>(v)) },
  );
}

/** A nasty string that can go on a request line as is: printable ASCII, no `?` or `#`. */
const rawSegment = nastyString.filter((v) => /^[!-~]*$/.test(v) && !/[?#]/.test(v));

/** A path segment: encoded (routes for sure) or raw (may leave the route: `..`, `/`, `%zz`). */
function pathValue(
  parameter: Parameter,
  resolve: SchemaResolver,
  hints: Hints,
): fc.Arbitrary<{ segment: string; state: FieldState; routed: boolean }> {
  const encoded = (field: Field<unknown>) => {
    const text = String(field.value);
    const segment = encode(text);
    // "", "." and ".." are not segments a router keeps.
    const routed = text !== '' && text !== '.' && text !== '..';
    return { segment, state: routed ? field.state : ('doubtful' as const), routed };
  };
  const invalid = invalidString(parameter.schema, resolve);
  const hint = hints[parameter.name];
  return fc.oneof(
    { weight: 4, arbitrary: validValue(parameter.schema, resolve).map((v) => encoded(keep(v))) },
    ...(hint ? [{ weight: 4, arbitrary: hint.map((v) => encoded(keep(v))) }] : []),
    ...(invalid ? [{ weight: 2, arbitrary: invalid.map((v) => encoded(bad(v))) }] : []),
    {
      weight: 1,
      arbitrary: rawSegment.map((segment) => ({
        segment,
        state: 'doubtful' as const,
        routed: false,
      })),
    },
  );
}

/** Percent-encoding; a lone surrogate (which UTF-8 cannot carry) goes as U+FFFD, like browsers do. */
const encode = (text: string) =>
  encodeURIComponent(
    text.replace(
      /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '\ufffd',
    ),
  );

/** Sets an own property even for `__proto__`, so JSON.stringify writes it. */
function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

interface BodyPlan {
  json: unknown;
  /** Raw text to send instead of JSON.stringify(json). */
  raw?: string;
  invalid: string[];
  doubtful: boolean;
}

function bodyPlan(
  schema: JsonSchema,
  resolve: SchemaResolver,
  hints: Hints,
): fc.Arbitrary<BodyPlan> {
  const object = resolve(schema);
  // One schema per kind (an agent entry, chosen by `kind`): a body of one of them, whose bad
  // fields are bad for the whole, since its discriminator says which schema applies.
  const alternatives = object.oneOf ?? object.anyOf;
  if (alternatives && !object.properties) {
    return fc.oneof(...alternatives.map((alternative) => bodyPlan(alternative, resolve, hints)));
  }
  const properties = Object.entries(object.properties ?? {});
  const required = new Set(object.required ?? []);
  const closed = object.additionalProperties === false;
  const fields = fc.tuple(
    ...properties.map(([name, property]) =>
      fieldValue(name, property, required.has(name), resolve, hints),
    ),
  );
  const extras = fc.array(
    fc.tuple(
      nastyString.filter((key) => key.length > 0 && !(object.properties ?? {})[key]),
      anyJson,
    ),
    { maxLength: 2 },
  );
  const asObject = fc
    .tuple(
      fields,
      fc.oneof({ weight: 6, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: extras }),
    )
    .map(([values, extra]): BodyPlan => {
      const json: Record<string, unknown> = {};
      const invalid: string[] = [];
      let doubtful = false;
      values.forEach((field, index) => {
        const name = properties[index]![0];
        if (field.value !== undefined) setOwn(json, name, field.value);
        if (field.state === 'invalid') invalid.push(`body.${name}`);
        if (field.state === 'doubtful') doubtful = true;
      });
      for (const [key, value] of extra) {
        setOwn(json, key, value);
        if (closed) invalid.push(`body.${key}`);
        else doubtful = true;
      }
      return { json, invalid, doubtful };
    });
  return fc.oneof(
    { weight: 12, arbitrary: asObject },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.jsonValue({ maxDepth: 2 }), nastyString)
        .filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))
        .map((json): BodyPlan => ({ json, invalid: ['body'], doubtful: false })),
    },
    {
      weight: 1,
      arbitrary: fc
        .oneof(
          anyText,
          fc.constantFrom(
            '{',
            '{"title":',
            '[1,',
            "{'a':1}",
            '{"a":1}}',
            'nul',
            '\u0000',
            '{"a":1,}',
          ),
        )
        // An empty body is no body (what the case without one tests), not malformed JSON: the
        // server rightly reads it as {} (seed 43139761 drew one for a retry, which needs none).
        .filter((raw) => raw.length > 0 && isNotJson(raw))
        .map((raw): BodyPlan => ({ json: undefined, raw, invalid: ['body'], doubtful: false })),
    },
  );
}

/** Without a body, the body is at fault, or each of its required fields. */
function missingBody(schema: JsonSchema, resolve: SchemaResolver): string[] {
  const object = resolve(schema);
  const alternatives = object.oneOf ?? object.anyOf;
  // One schema per kind: what every one of them requires.
  const required =
    alternatives && !object.properties
      ? alternatives
          .map((alternative) => resolve(alternative).required ?? [])
          .reduce((all, some) => all.filter((name) => some.includes(name)))
      : (object.required ?? []);
  return required.length > 0 ? ['body', ...required.map((name) => `body.${name}`)] : [];
}

const badTokens = fc.oneof(
  fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer x y', 'Token abc'),
  anyText.map((t) => `Bearer ${t.replace(/[^\x21-\x7e]/g, 'x') || 'x'}`),
);

export interface CaseContext {
  resolve: SchemaResolver;
  hints: HintsFor;
  /** Whether the gateway requires tokens (then `auth` varies). */
  authRequired: boolean;
}

/** Requests against one documented operation. */
export function operationCase(operation: Operation, context: CaseContext): fc.Arbitrary<HttpCase> {
  const { resolve } = context;
  const hints = context.hints(operation);
  const params = fc.tuple(...operation.params.map((p) => pathValue(p, resolve, hints)));
  const query = fc.tuple(...operation.query.map((p) => queryValue(p, resolve, hints)));
  const extraQuery = fc.oneof(
    { weight: 8, arbitrary: fc.constant('') },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          nastyString.filter((k) => k.length > 0),
          nastyString,
        )
        .map(([k, v]) => `${encode(k)}=${encode(v)}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('%zz', 'a[b]=1', '=', '&&', 'a=%E0%A4%A', '%00=%00') },
  );
  const body = operation.body
    ? fc.option(bodyPlan(operation.body, resolve, hints), { nil: null, freq: 12 })
    : fc.constant(null);
  const contentType = fc.oneof(
    { weight: 12, arbitrary: fc.constant('application/json') },
    { weight: 2, arbitrary: fc.constant('application/json; charset=utf-8') },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        '',
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'application/json; charset=latin9',
        // JSON is read in any utf-* charset (even utf-7); anything else is refused.
        'application/json; charset=iso-8859-1',
      ),
    },
  );
  const encoding = fc.oneof(
    { weight: 14, arbitrary: fc.constant('identity') },
    { weight: 1, arbitrary: fc.constantFrom('gzip', 'gzip-garbage', 'bogus') },
  );
  const oversized = fc.oneof(
    { weight: 30, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  );
  const auth: fc.Arbitrary<AuthKind> = context.authRequired
    ? fc.oneof(
        { weight: 20, arbitrary: fc.constant('valid' as const) },
        { weight: 1, arbitrary: fc.constantFrom('missing' as const, 'bad' as const) },
      )
    : fc.constant('valid' as const);

  return fc
    .record({
      params,
      query,
      extraQuery,
      body,
      contentType,
      encoding,
      oversized,
      auth,
      badToken: badTokens,
    })
    .map((draw): HttpCase => {
      const invalid: string[] = [];
      let routed = true;
      let doubtful = draw.extraQuery !== '';
      let path = operation.path;
      operation.params.forEach((parameter, index) => {
        const value = draw.params[index]!;
        path = path.replace(`{${parameter.name}}`, value.segment);
        if (value.state === 'invalid') invalid.push(`params.${parameter.name}`);
        if (value.state === 'doubtful') doubtful = true;
        if (!value.routed) routed = false;
      });
      const search = new URLSearchParams();
      operation.query.forEach((parameter, index) => {
        const field = draw.query[index]!;
        if (field.value === undefined) return;
        for (const v of [field.value].flat()) search.append(parameter.name, v);
        if (field.state === 'invalid') invalid.push(`query.${parameter.name}`);
        if (field.state === 'doubtful') doubtful = true;
      });
      const queryText = [search.toString(), draw.extraQuery].filter(Boolean).join('&');
      const headers: Record<string, string> = {};
      let payload: Buffer | null = null;
      let bodyText: string | undefined;
      let expectStatus: number | undefined;
      if (draw.body || draw.oversized) {
        const plan = draw.body ?? { json: {}, invalid: [], doubtful: false };
        let text = plan.raw ?? JSON.stringify(plan.json) ?? 'null';
        if (draw.oversized) {
          text = JSON.stringify({ padding: 'x'.repeat(BODY_LIMIT_BYTES + 16) });
        }
        payload = Buffer.from(text, 'utf8');
        bodyText = text;
        const isJson = draw.contentType.startsWith('application/json');
        const odd = /charset=(?!utf-)/.test(draw.contentType);
        if (draw.contentType) headers['content-type'] = draw.contentType;
        if (draw.encoding === 'gzip') payload = gzipSync(payload);
        if (draw.encoding === 'gzip-garbage') payload = Buffer.from(`not gzip ${text}`);
        if (draw.encoding !== 'identity') {
          headers['content-encoding'] = draw.encoding === 'gzip-garbage' ? 'gzip' : draw.encoding;
        }
        if (isJson && odd) {
          invalid.push('headers.content-type');
        } else if (isJson && draw.encoding === 'bogus') {
          invalid.push('headers.content-encoding');
        } else if (isJson && draw.oversized) {
          invalid.push('body');
          // gzip is measured after inflating, so the limit applies either way; the token is
          // checked before any body is read.
          const admitted = draw.auth === 'valid' || !operation.secured;
          if (draw.encoding !== 'gzip-garbage' && admitted) expectStatus = 413;
        } else if (isJson && draw.encoding === 'gzip-garbage') {
          invalid.push('body');
        } else if (isJson && operation.body) {
          invalid.push(...plan.invalid);
          if (plan.doubtful) doubtful = true;
        } else if (operation.body) {
          // Not JSON: the body is not read, as if there were none.
          invalid.push(...missingBody(operation.body, resolve));
        }
      } else if (operation.body) {
        invalid.push(...missingBody(operation.body, resolve));
      }
      if (draw.auth === 'bad') headers.authorization = draw.badToken;
      return printable({
        label: operation.key,
        operation,
        method: operation.method,
        target: queryText ? `${path}?${queryText}` : path,
        headers,
        body: payload,
        ...(bodyText === undefined ? {} : { bodyText }),
        invalid,
        doubtful,
        routed,
        auth: draw.auth,
        ...(expectStatus ? { expectStatus } : {}),
      });
    });
}

/** Paths and methods nobody documented: they must be a problem+json 404 (or 405), never a 5xx. */
export function undocumentedCase(operations: Operation[]): fc.Arbitrary<HttpCase> {
  const segment = rawSegment.map((s) => (s === '' ? 'x' : s));
  const documented = new Set(operations.map((o) => o.key));
  const routes = operations.map((o) => ({
    method: o.method,
    path: new RegExp(`^${o.path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
  }));
  const onDocumentedPath = fc
    .tuple(
      fc.constantFrom(...operations.map((o) => o.path)),
      fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
      fc.stringMatching(/^[a-z0-9]{1,12}$/),
    )
    .filter(([path, method]) => !documented.has(`${method} ${path}`))
    .map(([path, method, id]) => ({ method, target: path.replace(/\{[^}]+\}/g, id) }));
  const elsewhere = fc
    .tuple(
      fc.constantFrom('/api/', '/api/sessions/', '/', '/ws/', '/healthz/', '/api/agents/'),
      fc.array(segment, { minLength: 1, maxLength: 4 }),
      fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
    )
    .map(([prefix, segments, method]) => ({ method, target: `${prefix}${segments.join('/')}` }))
    .filter(
      ({ method, target }) =>
        !routes.some((route) => route.method === method && route.path.test(target)),
    );
  return fc.oneof(onDocumentedPath, elsewhere).map(({ method, target }): HttpCase =>
    printable({
      label: 'undocumented',
      operation: null,
      method,
      target,
      headers: {},
      body: null,
      invalid: [],
      doubtful: true,
      routed: false,
      auth: 'valid',
    }),
  );
}

/**
 * What every answer of the gateway must satisfy, whatever the request: no 5xx; every 4xx an RFC
 * 9457 problem (application/problem+json, `status` matching the answer); a validation problem
 * names each bad field (`body.title`, `query.limit`, `params.id`, `headers.content-type`) and
 * only fields the request has or the document declares; a request with a certainly invalid field
 * is never accepted; a success answer has a documented status and matches its schema.
 */
import type { HttpCase } from './http-cases.js';
import type { RawResponse } from './raw-http.js';

const VALIDATION_STATUSES = new Set([400, 413, 415, 422]);
const LOCATIONS = ['body', 'query', 'params', 'headers'] as const;

interface ProblemBody {
  type?: unknown;
  title?: unknown;
  status?: unknown;
  detail?: unknown;
  errors?: unknown;
}

/** The field names a validation error may blame for this request. */
function nameable(testCase: HttpCase): Set<string> {
  const names = new Set<string>(['headers.content-type', 'headers.content-encoding']);
  const operation = testCase.operation;
  for (const p of operation?.params ?? []) names.add(`params.${p.name}`);
  for (const p of operation?.query ?? []) names.add(`query.${p.name}`);
  return names;
}

/** Whether `field` (the part after `body.` / `query.`) appears in what was sent. */
function wasSent(testCase: HttpCase, location: string, field: string): boolean {
  if (location === 'query') {
    const query = testCase.target.split('?')[1] ?? '';
    return query.split('&').some((pair) => {
      const key = pair.split('=')[0] ?? '';
      try {
        return decodeURIComponent(key.replace(/\+/g, ' ')) === field || key === field;
      } catch {
        return key === field;
      }
    });
  }
  if (location === 'body') {
    const text = testCase.bodyText ?? testCase.body?.toString('utf8') ?? '';
    return text.includes(JSON.stringify(field).slice(1, -1));
  }
  return false;
}

/** Checks one answer; returns what is wrong with it (empty when all is well). */
export function checkAnswer(testCase: HttpCase, response: RawResponse): string[] {
  const problems: string[] = [];
  const { status } = response;
  const contentType = String(response.headers['content-type'] ?? '');
  // The fuzzed stack runs no worker on purpose (no agent ever runs): routes that need a
  // session's state query answer their documented 503 "no worker", which is not an input's fault.
  const noWorker = status === 503 && /no worker is polling/.test(response.text);
  if (status >= 500 && !noWorker) {
    problems.push(`answered ${status}: no input may cause a server error`);
  }
  if (testCase.expectStatus && status !== testCase.expectStatus) {
    problems.push(`answered ${status}, expected ${testCase.expectStatus}`);
  }

  if (status >= 400) {
    if (!contentType.startsWith('application/problem+json')) {
      problems.push(`a ${status} must be application/problem+json, got "${contentType}"`);
      return problems;
    }
    if (testCase.method === 'HEAD') return problems;
    let body: ProblemBody;
    try {
      body = JSON.parse(response.text) as ProblemBody;
    } catch {
      problems.push(`the problem body is not JSON: ${response.text.slice(0, 200)}`);
      return problems;
    }
    if (typeof body.type !== 'string' || typeof body.title !== 'string') {
      problems.push('the problem lacks type or title');
    }
    if (body.status !== status) problems.push(`problem.status ${String(body.status)} ≠ ${status}`);
    if (typeof body.detail !== 'string' || body.detail.trim() === '') {
      problems.push('the problem lacks a detail saying what to do');
    }
    if (VALIDATION_STATUSES.has(status)) problems.push(...checkFieldErrors(testCase, body.errors));
  }

  const operation = testCase.operation;
  if (status < 300 && testCase.routed && operation) {
    if (testCase.invalid.length > 0) {
      problems.push(`accepted (${status}) although ${testCase.invalid.join(', ')} is invalid`);
    }
    if (testCase.auth !== 'valid' && operation.secured) {
      problems.push(`accepted (${status}) without a valid token`);
    }
    const schema = operation.responses.get(status);
    if (!operation.statuses.has(status)) {
      problems.push(`answered ${status}, which ${operation.key} does not document`);
    } else if (schema && testCase.method !== 'HEAD') {
      let json: unknown;
      try {
        json = JSON.parse(response.text);
      } catch {
        problems.push(`the ${status} answer is not JSON`);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const where = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
        problems.push(`the ${status} answer does not match its documented schema at ${where}`);
      }
    }
  }
  if (status < 300 && !operation && testCase.method !== 'OPTIONS') {
    problems.push(`an undocumented route answered ${status}`);
  }
  return problems;
}

function checkFieldErrors(testCase: HttpCase, errors: unknown): string[] {
  if (!Array.isArray(errors) || errors.length === 0) {
    return ['a validation problem must list `errors` naming each bad field'];
  }
  const problems: string[] = [];
  const paths: string[] = [];
  for (const error of errors as Array<{ path?: unknown; message?: unknown }>) {
    if (typeof error.path !== 'string' || typeof error.message !== 'string' || !error.message) {
      problems.push(`an error lacks path or message: ${JSON.stringify(error)}`);
      continue;
    }
    paths.push(error.path);
    const [location, field] = splitPath(error.path);
    if (!(LOCATIONS as readonly string[]).includes(location)) {
      problems.push(
        `error path "${error.path}" does not start with body, query, params or headers`,
      );
      continue;
    }
    if (field === null) {
      // A whole part is only to blame when it is not an object at all (malformed, too large).
      if (testCase.routed && !testCase.invalid.includes(location)) {
        problems.push(`error path "${error.path}" names no field`);
      }
      continue;
    }
    const known =
      nameable(testCase).has(`${location}.${field}`) ||
      bodyProperty(testCase, location, field) ||
      wasSent(testCase, location, field) ||
      // A key with dots in it ("a.b") is one field.
      wasSent(testCase, location, error.path.slice(location.length + 1));
    if (!known) problems.push(`error path "${error.path}" names a field the request does not have`);
  }
  // Where the document promises that `errors` names each bad field, check that it does.
  if (testCase.routed && testCase.auth === 'valid' && testCase.operation?.namesEachBadField) {
    const named = (bad: string) => paths.some((path) => path === bad || path.startsWith(`${bad}.`));
    const wholeBody = testCase.invalid.includes('body') && named('body');
    const missed = testCase.invalid.filter((bad) => bad.includes('.') && !named(bad));
    if (!wholeBody && missed.length > 0) {
      problems.push(`errors name ${paths.join(', ')} but not the invalid ${missed.join(', ')}`);
    }
  }
  return problems;
}

function bodyProperty(testCase: HttpCase, location: string, field: string): boolean {
  if (location !== 'body') return false;
  const schema = testCase.operation?.body;
  return Boolean(schema && JSON.stringify(schema).includes(JSON.stringify(field)));
}

/** `body.title` → ['body', 'title']; `body` → ['body', null]; `body.a.b` → ['body', 'a']. */
function splitPath(path: string): [string, string | null] {
  const dot = path.indexOf('.');
  if (dot === -1) return [path, null];
  const rest = path.slice(dot + 1);
  const next = rest.indexOf('.');
  return [path.slice(0, dot), next === -1 ? rest : rest.slice(0, next)];
}

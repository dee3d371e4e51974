import type { FieldError, Problem } from '$lib/types/api';

/** An HTTP call that did not succeed, carrying the gateway's problem details. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  422: 'Unprocessable content',
  429: 'Too many requests',
  500: 'Internal server error',
  502: 'Bad gateway',
  503: 'Service unavailable',
  504: 'Gateway timeout',
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseFieldErrors(value: unknown): FieldError[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const errors: FieldError[] = [];
  for (const entry of value) {
    if (!isRecord(entry)) continue;
    const path = Array.isArray(entry.path) ? entry.path.join('.') : entry.path;
    if (typeof entry.message !== 'string') continue;
    errors.push({ path: typeof path === 'string' ? path : '', message: entry.message });
  }
  return errors;
}

/**
 * Turns any error body into a Problem: application/problem+json as the gateway sends it, plain
 * JSON with a message, plain text (a proxy's error page), or nothing at all.
 */
export function toProblem(status: number, statusText: string, body: unknown): Problem {
  const fallbackTitle = statusText || STATUS_TITLES[status] || `HTTP ${status}`;
  if (isRecord(body)) {
    const title =
      typeof body.title === 'string'
        ? body.title
        : typeof body.message === 'string'
          ? body.message
          : fallbackTitle;
    const problem: Problem = {
      type: typeof body.type === 'string' ? body.type : 'about:blank',
      title,
      status: typeof body.status === 'number' ? body.status : status,
    };
    if (typeof body.detail === 'string') problem.detail = body.detail;
    const errors = parseFieldErrors(body.errors);
    if (errors) problem.errors = errors;
    return problem;
  }
  const problem: Problem = { type: 'about:blank', title: fallbackTitle, status };
  if (typeof body === 'string' && body.trim() !== '') problem.detail = body.trim().slice(0, 500);
  return problem;
}

/** Reads a failed response's body (problem+json, JSON or text) into a Problem. */
export async function readProblem(response: Response): Promise<Problem> {
  let body: unknown;
  try {
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('json')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    } else {
      body = text;
    }
  } catch {
    body = undefined;
  }
  return toProblem(response.status, response.statusText, body);
}

/** A failure that never reached the gateway (offline, DNS, refused connection). */
export function networkProblem(error: unknown): Problem {
  const message = error instanceof Error ? error.message : String(error);
  return {
    type: 'about:blank',
    title: 'Cannot reach the gateway',
    status: 0,
    detail: `${message}. Check that the gateway is running and reachable, then try again.`,
  };
}

/** Any thrown value as a Problem, for display. */
export function problemOf(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  if (isRecord(error) && typeof error.title === 'string' && typeof error.status === 'number') {
    return toProblem(error.status, '', error);
  }
  const message = error instanceof Error ? error.message : String(error);
  return { type: 'about:blank', title: 'Unexpected error', status: 0, detail: message };
}

/**
 * Normalises a field path from the gateway ("title", "/title", "body.title", "$.title",
 * "body/title") to the name of the top-level field it points at.
 */
export function fieldName(path: string): string {
  const parts = path
    .replace(/^\$\.?/, '')
    .split(/[./[\]]+/)
    .filter((part) => part !== '');
  if (parts[0] === 'body' && parts.length > 1) parts.shift();
  return parts[0] ?? '';
}

/**
 * Splits a problem's field errors into messages per known field and the rest (shown above the
 * form), so each input can show what was wrong with it.
 */
export function groupFieldErrors<F extends string>(
  problem: Problem,
  fields: readonly F[],
): { byField: Partial<Record<F, string[]>>; other: string[] } {
  const byField: Partial<Record<F, string[]>> = {};
  const other: string[] = [];
  for (const error of problem.errors ?? []) {
    const name = fieldName(error.path);
    if ((fields as readonly string[]).includes(name)) {
      const key = name as F;
      (byField[key] ??= []).push(error.message);
    } else {
      other.push(error.path ? `${error.path}: ${error.message}` : error.message);
    }
  }
  return { byField, other };
}

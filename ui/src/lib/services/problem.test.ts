import { describe, expect, it } from 'vitest';
import {
  ApiError,
  fieldName,
  groupFieldErrors,
  networkProblem,
  problemOf,
  readProblem,
  toProblem,
} from './problem';

function response(body: string, status: number, contentType: string): Response {
  return new Response(body, { status, headers: { 'content-type': contentType } });
}

describe('readProblem', () => {
  it('reads application/problem+json with field errors', async () => {
    const problem = await readProblem(
      response(
        JSON.stringify({
          type: 'https://orchestrator.dev/problems/validation',
          title: 'Invalid request',
          status: 422,
          detail: 'The body has 2 invalid fields.',
          errors: [
            { path: 'title', message: 'Required' },
            { path: 'repository', message: 'Must be a git URL or a path' },
          ],
        }),
        422,
        'application/problem+json; charset=utf-8',
      ),
    );
    expect(problem).toEqual({
      type: 'https://orchestrator.dev/problems/validation',
      title: 'Invalid request',
      status: 422,
      detail: 'The body has 2 invalid fields.',
      errors: [
        { path: 'title', message: 'Required' },
        { path: 'repository', message: 'Must be a git URL or a path' },
      ],
    });
  });

  it('accepts array paths (zod style) and skips malformed errors', async () => {
    const problem = await readProblem(
      response(
        JSON.stringify({
          title: 'Invalid',
          status: 400,
          errors: [{ path: ['body', 'goal'], message: 'Too short' }, { nope: 1 }, 'x'],
        }),
        400,
        'application/problem+json',
      ),
    );
    expect(problem.errors).toEqual([{ path: 'body.goal', message: 'Too short' }]);
    expect(problem.type).toBe('about:blank');
  });

  it('falls back to the HTTP status for plain text and broken JSON', async () => {
    const text = await readProblem(response('upstream connect error', 502, 'text/plain'));
    expect(text).toEqual({
      type: 'about:blank',
      title: 'Bad gateway',
      status: 502,
      detail: 'upstream connect error',
    });
    const broken = await readProblem(response('{"title":', 500, 'application/json'));
    expect(broken.title).toBe('Internal server error');
    expect(broken.detail).toBe('{"title":');
    const empty = await readProblem(new Response(null, { status: 404 }));
    expect(empty).toEqual({ type: 'about:blank', title: 'Not found', status: 404 });
  });

  it('uses a JSON `message` when there is no title', () => {
    expect(toProblem(500, '', { message: 'boom' }).title).toBe('boom');
    expect(toProblem(418, '', null).title).toBe('HTTP 418');
  });
});

describe('field errors', () => {
  it('normalises paths to the top-level field', () => {
    expect(fieldName('title')).toBe('title');
    expect(fieldName('/title')).toBe('title');
    expect(fieldName('body.title')).toBe('title');
    expect(fieldName('body/repository')).toBe('repository');
    expect(fieldName('$.agent')).toBe('agent');
    expect(fieldName('checkpoints[0].seq')).toBe('checkpoints');
    expect(fieldName('body')).toBe('body');
    expect(fieldName('')).toBe('');
  });

  it('groups messages by known field and keeps the rest apart', () => {
    const grouped = groupFieldErrors(
      {
        type: 'about:blank',
        title: 'Invalid',
        status: 422,
        errors: [
          { path: '/title', message: 'Required' },
          { path: 'title', message: 'Too long' },
          { path: 'agent', message: 'Unknown agent "x"' },
          { path: 'priority', message: 'Unknown field' },
          { path: '', message: 'Body must be JSON' },
        ],
      },
      ['title', 'goal', 'repository', 'agent'] as const,
    );
    expect(grouped.byField).toEqual({
      title: ['Required', 'Too long'],
      agent: ['Unknown agent "x"'],
    });
    expect(grouped.other).toEqual(['priority: Unknown field', 'Body must be JSON']);
  });
});

describe('problemOf', () => {
  it('unwraps ApiError, and describes network and unknown errors', () => {
    const problem = { type: 'about:blank', title: 'Conflict', status: 409 };
    const error = new ApiError(problem);
    expect(problemOf(error)).toBe(problem);
    expect(error.message).toBe('Conflict');
    expect(error.status).toBe(409);
    expect(problemOf(new Error('x')).detail).toBe('x');
    expect(networkProblem(new TypeError('Failed to fetch'))).toMatchObject({
      status: 0,
      title: 'Cannot reach the gateway',
    });
  });
});

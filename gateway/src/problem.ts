/**
 * RFC 9457 problem details. Every error the gateway sends is `application/problem+json` and says
 * what was wrong, which field, and what to do; nothing a client sends may produce a 5xx.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorRequestHandler, Response } from 'express';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from 'pino';
import { ZodError } from 'zod';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `body.title` or `query.limit`. */
  path: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly slug: string = title.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
  ) {
    super(detail);
  }

  toJSON(): Problem {
    return {
      type: `https://industrial-orchestrator.dev/problems/${this.slug}`,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const notFound = (detail: string) => new HttpProblem(404, 'Not Found', detail);
export const conflict = (detail: string) => new HttpProblem(409, 'Conflict', detail);
export const badRequest = (detail: string, errors?: FieldError[]) =>
  new HttpProblem(400, 'Bad Request', detail, errors, 'validation');
export const unauthorized = (detail: string) => new HttpProblem(401, 'Unauthorized', detail);
export const unavailable = (detail: string) => new HttpProblem(503, 'Service Unavailable', detail);

export function fromZodError(error: ZodError, location: string): HttpProblem {
  const errors = error.issues.flatMap((issue) => {
    const path = [location, ...issue.path.map(String)].join('.');
    // Zod reports unknown keys once, on the object: name each key, as for any other bad field.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: `${path}.${key}`,
        message: `Unknown field "${key}"; /api/openapi.json lists the accepted ones`,
      }));
    }
    return [{ path, message: issue.message }];
  });
  const fields = [...new Set(errors.map((e) => e.path))];
  const shown =
    fields.length > 10 ? [...fields.slice(0, 10), `${fields.length - 10} more`] : fields;
  return badRequest(`Invalid ${location}: check ${shown.join(', ')}.`, errors);
}

export function sendProblem(res: Response, problem: HttpProblem): void {
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** Body-parser, router and other framework errors carry a status and a `type` string. */
interface FrameworkError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
  /** entity.too.large: the limit and the announced length, in bytes. */
  limit?: number;
  length?: number;
  charset?: string;
  encoding?: string;
}

/**
 * The problem for a client error raised before a handler ran (body parsing, path decoding),
 * naming the part of the request at fault; null when the error is not a client error.
 */
export function frameworkProblem(error: unknown): HttpProblem | null {
  const framework = (error ?? {}) as FrameworkError;
  const status = framework.status ?? framework.statusCode;
  if (!status || status < 400 || status >= 500) return null;
  const field = (path: string, message: string) => [{ path, message }];
  switch (framework.type) {
    case 'entity.too.large': {
      const limit = framework.limit ?? 0;
      const size = framework.length ? `${framework.length} bytes` : 'more than that';
      return new HttpProblem(
        413,
        'Payload Too Large',
        `The request body is larger than the limit of ${limit} bytes (${Math.round(limit / 1024)} kB); send less.`,
        field('body', `The body is ${size}; at most ${limit} bytes are accepted`),
        'payload-too-large',
      );
    }
    case 'entity.parse.failed':
      return badRequest(
        'The request body is not valid JSON.',
        field('body', 'Expected a JSON object (UTF-8)'),
      );
    case 'charset.unsupported':
      return new HttpProblem(
        415,
        'Unsupported Media Type',
        `The charset "${framework.charset ?? ''}" is not supported; send JSON in UTF-8.`,
        field('headers.content-type', 'Use application/json with charset utf-8 (or none)'),
        'unsupported-media-type',
      );
    case 'encoding.unsupported':
      return new HttpProblem(
        415,
        'Unsupported Media Type',
        `The content encoding "${framework.encoding ?? ''}" is not supported.`,
        field('headers.content-encoding', 'Use identity, gzip, deflate or br'),
        'unsupported-media-type',
      );
  }
  if (error instanceof URIError) {
    // The router could not percent-decode a path segment (e.g. "%zz").
    return badRequest(
      'A path segment is not valid percent-encoding.',
      field(
        'params',
        `${framework.message ?? 'Undecodable segment'}; encode it with encodeURIComponent`,
      ),
    );
  }
  // Anything else the framework refused: an aborted upload, a corrupt compressed body, …
  const detail =
    framework.expose && framework.message ? framework.message : 'The request could not be read.';
  if (status !== 400)
    return new HttpProblem(status, STATUS_CODES[status] ?? 'Client Error', detail);
  return badRequest(
    detail,
    field('body', 'The body could not be read (a corrupt compressed body, or cut short)'),
  );
}

export function problemMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof HttpProblem) {
      sendProblem(res, error);
      return;
    }
    if (error instanceof ZodError) {
      sendProblem(res, fromZodError(error, 'body'));
      return;
    }
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      // Two requests raced to start the same run (e.g. concurrent retries): one won.
      sendProblem(
        res,
        conflict(
          `${error.workflowType} ${error.workflowId} was started by another request meanwhile; ` +
            'read it again to see its current state.',
        ),
      );
      return;
    }
    const problem = frameworkProblem(error);
    if (problem) {
      sendProblem(res, problem);
      return;
    }
    logger.error({ err: error, method: req.method, url: req.originalUrl }, 'unhandled error');
    sendProblem(
      res,
      new HttpProblem(
        500,
        'Internal Server Error',
        'The gateway failed to handle this request; see its logs.',
      ),
    );
  };
}

/**
 * Answers a request Node's HTTP parser refused (headers over the size limit, malformed HTTP, a
 * request too slow to arrive) with a problem too: without this listener Node writes a bare
 * status line. There is no response object yet, so the answer is written to the socket.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, detail, path] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'The request headers are larger than the server accepts (16 kB); send fewer or smaller headers.',
          'headers',
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'The request did not arrive in time; send it again.', 'request']
        : [400, 'The request is not valid HTTP/1.1.', 'request'];
  const problem = new HttpProblem(status, STATUS_CODES[status] ?? 'Bad Request', detail, [
    { path, message: detail },
  ]);
  const body = JSON.stringify(problem);
  socket.end(
    `HTTP/1.1 ${status} ${problem.title}\r\nContent-Type: application/problem+json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

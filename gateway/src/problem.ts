/**
 * RFC 9457 problem details. Every error the gateway sends is `application/problem+json` and says
 * what was wrong, which field, and what to do; nothing a client sends may produce a 5xx.
 */
import type { ErrorRequestHandler, Response } from 'express';
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
  const errors = error.issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  const fields = [...new Set(errors.map((e) => e.path))].join(', ');
  return badRequest(`Invalid ${location}: check ${fields}.`, errors);
}

export function sendProblem(res: Response, problem: HttpProblem): void {
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** Body-parser and other framework errors carry a status and a `type` string. */
interface FrameworkError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
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
    const framework = error as FrameworkError;
    const status = framework.status ?? framework.statusCode;
    if (status && status >= 400 && status < 500) {
      if (framework.type === 'entity.too.large') {
        sendProblem(
          res,
          new HttpProblem(413, 'Payload Too Large', 'The request body is larger than allowed.'),
        );
        return;
      }
      if (framework.type === 'entity.parse.failed') {
        sendProblem(
          res,
          badRequest('The request body is not valid JSON.', [
            { path: 'body', message: 'Malformed JSON' },
          ]),
        );
        return;
      }
      sendProblem(
        res,
        new HttpProblem(
          status,
          'Bad Request',
          framework.expose ? String(framework.message) : 'Bad request.',
        ),
      );
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

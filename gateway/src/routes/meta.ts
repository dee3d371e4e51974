import { Router } from 'express';
import type { Registry } from 'prom-client';

export interface MetaRoutesOptions {
  config: {
    temporalWebUrl: string | null;
    namespace: string;
    authRequired: boolean;
    sampleRepository: string | null;
    version: string;
  };
}

/** What the console needs before it has a token: the gateway's own configuration. */
export function metaRoutes(options: MetaRoutesOptions): Router {
  const router = Router();
  router.get('/config', (_req, res) => {
    res.json(options.config);
  });
  return router;
}

export interface Readiness {
  name: string;
  check: () => Promise<void>;
}

/** /healthz says the process is up; /readyz that Temporal, Postgres and Redis answer. */
export function healthRoutes(checks: Readiness[], registry: Registry): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        const started = Date.now();
        try {
          await withTimeout(check(), 2000);
          return { name, ok: true, ms: Date.now() - started };
        } catch (error) {
          return {
            name,
            ok: false,
            ms: Date.now() - started,
            error: String((error as Error).message ?? error),
          };
        }
      }),
    );
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: results });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

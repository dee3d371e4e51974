import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';

/**
 * Serves the built console (ui/build) with the SPA fallback: any GET that is not API, WebSocket
 * or health goes to index.html, and the client-side router takes it from there.
 */
export function consoleRoutes(uiDir: string | null): Router {
  const router = express.Router();
  if (!uiDir || !existsSync(join(uiDir, 'index.html'))) {
    router.get('/', (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send('The console is not built. Run `npm run build` (it builds ui/ into ui/build).');
    });
    return router;
  }
  router.use(express.static(uiDir, { index: false, maxAge: '1h', immutable: false }));
  router.get(/^(?!\/api\/|\/ws$|\/metrics$|\/healthz$|\/readyz$).*/, (_req, res) => {
    res.sendFile(join(uiDir, 'index.html'), { headers: { 'Cache-Control': 'no-cache' } });
  });
  return router;
}

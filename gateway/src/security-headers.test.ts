import { createHash } from 'node:crypto';
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleCsp, inlineScriptHashes, securityHeaders } from './security-headers.js';

const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const page = (bootstrap: string) =>
  `<html><head><script type="module" src="/_app/start.js"></script></head>` +
  `<body><div style="display: contents"><script>${bootstrap}</script></div></body></html>`;

describe('inline script hashes', () => {
  it('hashes the exact text of inline scripts and skips scripts with src', () => {
    const bootstrap = '\n\t\t\t\t{ __sveltekit_x = { base: "" }; }\n\t\t\t';
    expect(inlineScriptHashes(page(bootstrap))).toEqual([sha(bootstrap)]);
    expect(inlineScriptHashes('<p>no scripts</p>')).toEqual([]);
  });

  it('puts them in script-src next to self, and forbids framing, plugins and base changes', () => {
    const policy = consoleCsp(["'sha256-abc'"]);
    expect(policy).toContain("script-src 'self' 'sha256-abc'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toContain("base-uri 'none'");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
  });
});

describe('security headers middleware', () => {
  let dir: string;
  let url: string;
  let close: () => void;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'io-csp-'));
    await writeFile(join(dir, 'index.html'), page('first()'));
    const app = express();
    app.use(securityHeaders({ uiDir: dir }));
    app.get('/{*rest}', (_req, res) => res.send('ok'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const address = server.address() as { port: number };
    url = `http://127.0.0.1:${address.port}`;
    close = () => server.close();
  });
  afterAll(async () => {
    close?.();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the console its policy and API answers one that allows nothing, uncached', async () => {
    const consolePage = await fetch(`${url}/sessions/abc`);
    expect(consolePage.headers.get('content-security-policy')).toContain(sha('first()'));
    expect(consolePage.headers.get('x-content-type-options')).toBe('nosniff');
    expect(consolePage.headers.get('referrer-policy')).toBe('no-referrer');
    expect(consolePage.headers.get('x-frame-options')).toBe('DENY');
    const api = await fetch(`${url}/api/sessions`);
    expect(api.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(api.headers.get('cache-control')).toBe('no-store');
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('follows a rebuilt console (its bootstrap hash changes with every build)', async () => {
    await writeFile(join(dir, 'index.html'), page('second()'));
    const later = new Date(Date.now() + 5000);
    await utimes(join(dir, 'index.html'), later, later);
    const policy = (await fetch(`${url}/`)).headers.get('content-security-policy');
    expect(policy).toContain(sha('second()'));
    expect(policy).not.toContain(sha('first()'));
  });
});

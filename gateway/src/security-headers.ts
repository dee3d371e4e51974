/**
 * Security headers on every response. The console gets a Content-Security-Policy that allows
 * only its own scripts (plus the hash of SvelteKit's inline bootstrap script, read from the
 * built index.html), its own origin for fetch and WebSocket, and no framing; API answers get a
 * policy that allows nothing at all, and are never cached (they may carry what a token saw).
 *
 * Styles allow 'unsafe-inline': Svelte's templates carry style attributes. A style cannot run
 * code, and script-src stays strict.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestHandler } from 'express';

/** What every response carries, whatever it is. */
export const COMMON_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // For browsers older than CSP's frame-ancestors.
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/** 'sha256-…' sources for every inline <script> (one without src) of an HTML page. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\bsrc\s*=/i.test(match[1] ?? '')) continue;
    const digest = createHash('sha256')
      .update(match[2] ?? '', 'utf8')
      .digest('base64');
    hashes.push(`'sha256-${digest}'`);
  }
  return hashes;
}

export function consoleCsp(scriptHashes: readonly string[]): string {
  return [
    "default-src 'self'",
    `script-src ${["'self'", ...scriptHashes].join(' ')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    // 'self' covers ws:/wss: to the same host in CSP Level 3 browsers.
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The console's policy, following a rebuilt index.html (its bootstrap script, and so its hash,
 * changes with every build).
 */
function consolePolicySource(uiDir: string | null): () => string {
  let cached: { mtimeMs: number; policy: string } | null = null;
  return () => {
    if (!uiDir) return consoleCsp([]);
    const file = join(uiDir, 'index.html');
    let mtimeMs: number;
    try {
      mtimeMs = statSync(file).mtimeMs;
    } catch {
      return consoleCsp([]);
    }
    if (cached?.mtimeMs !== mtimeMs) {
      cached = { mtimeMs, policy: consoleCsp(inlineScriptHashes(readFileSync(file, 'utf8'))) };
    }
    return cached.policy;
  };
}

export function securityHeaders(options: { uiDir: string | null }): RequestHandler {
  const consolePolicy = consolePolicySource(options.uiDir);
  return (req, res, next) => {
    for (const [name, value] of Object.entries(COMMON_SECURITY_HEADERS)) res.setHeader(name, value);
    if (req.path.startsWith('/api/') || req.path === '/api') {
      res.setHeader('Content-Security-Policy', API_CSP);
      res.setHeader('Cache-Control', 'no-store');
    } else {
      res.setHeader('Content-Security-Policy', consolePolicy());
    }
    next();
  };
}

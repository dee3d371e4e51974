import { describe, expect, it } from 'vitest';
import { originProblem, type OriginPolicy } from './security-origin.js';

const open: OriginPolicy = { allowedOrigins: ['https://console.example.com'], loopbackOnly: false };
const loopback: OriginPolicy = { allowedOrigins: [], loopbackOnly: true };

describe('Origin and Host checks', () => {
  it('lets through requests without Origin (not a browser) and the console own origin', () => {
    expect(originProblem({ host: 'orch.example:8443' }, open)).toBeNull();
    expect(
      originProblem({ host: 'orch.example:8443', origin: 'https://orch.example:8443' }, open),
    ).toBeNull();
    // Behind a TLS-terminating ingress the scheme differs; the host is what identifies the page.
    expect(
      originProblem({ host: 'orch.example', origin: 'https://orch.example' }, open),
    ).toBeNull();
  });

  it('lets through listed origins and refuses others, "null" and garbage', () => {
    expect(
      originProblem({ host: 'orch.example', origin: 'https://console.example.com' }, open),
    ).toBeNull();
    for (const origin of ['https://evil.example', 'null', 'not a url', 'file:///x']) {
      expect(originProblem({ host: 'orch.example', origin }, open)).toMatch(
        /Requests from pages on .* are not allowed/,
      );
    }
    // Same host name, other port: another origin.
    expect(
      originProblem({ host: 'orch.example:8443', origin: 'https://orch.example:9999' }, open),
    ).not.toBeNull();
  });

  it('without authentication, answers only to loopback Host names (DNS rebinding)', () => {
    for (const host of ['127.0.0.1:3000', 'localhost:3000', '[::1]:3000', '127.1.2.3']) {
      expect(originProblem({ host }, loopback)).toBeNull();
    }
    // The rebound page is "same origin" by its Origin, but its Host gives it away.
    expect(
      originProblem({ host: 'evil.example:3000', origin: 'http://evil.example:3000' }, loopback),
    ).toMatch(/answers only to loopback host names, not "evil.example:3000"/);
    expect(originProblem({}, loopback)).not.toBeNull();
    const withProxy = { allowedOrigins: ['http://dev.internal:8080'], loopbackOnly: true };
    expect(originProblem({ host: 'dev.internal:8080' }, withProxy)).toBeNull();
  });
});

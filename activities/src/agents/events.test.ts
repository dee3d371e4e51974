import { describe, expect, it } from 'vitest';
import { eventLines, formatUsage } from './events.js';

describe('agent event lines', () => {
  it('renders every event kind as readable, prefixed lines on the right stream', () => {
    const lines = [
      eventLines({ type: 'session', agentSessionId: 's-1', resumed: true }),
      eventLines({ type: 'text', text: 'first\n\n  second  \n' }),
      eventLines({ type: 'tool-call', tool: 'Write', summary: 'hello.txt' }),
      eventLines({ type: 'tool-call', tool: 'TodoWrite', summary: '' }),
      eventLines({ type: 'tool-failed', tool: 'Bash', reason: 'denied\nby policy' }),
      eventLines({ type: 'file-change', path: 'a/b.ts', change: 'modified' }),
      eventLines({ type: 'retry', message: 'model API 529' }),
      eventLines({ type: 'error', message: 'x'.repeat(300) }),
    ].flat();
    expect(lines.map((l) => `${l.stream}: ${l.line}`)).toEqual([
      'system: [session] resumed s-1',
      'stdout: [text] first',
      'stdout: [text]   second  ',
      'stdout: [tool] Write hello.txt',
      'stdout: [tool] TodoWrite',
      'stdout: [tool-failed] Bash: denied ⏎ by policy',
      'stdout: [file] modified a/b.ts',
      'stderr: [retry] model API 529',
      `stderr: [error] ${'x'.repeat(199)}…`,
    ]);
  });

  it('formats usage with the cost in dollars, or unknown', () => {
    const usage = {
      inputTokens: 1200,
      outputTokens: 34,
      cacheReadTokens: 5,
      cacheWriteTokens: 6,
      costUsd: 0.1 + 0.2,
    };
    expect(formatUsage(usage)).toBe('in=1200 out=34 cache_read=5 cache_write=6 cost=$0.3');
    expect(formatUsage({ ...usage, costUsd: null })).toContain('cost=unknown');
  });
});

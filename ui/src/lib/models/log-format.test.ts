import { describe, expect, it } from 'vitest';
import { stripAnsi, toTerminal } from './log-format';

describe('log format', () => {
  it('writes stdout as is, stderr red and system lines dim, each ending in CR LF', () => {
    expect(toTerminal({ stream: 'stdout', line: '\x1b[32mok\x1b[0m' })).toBe(
      '\x1b[32mok\x1b[0m\r\n',
    );
    expect(toTerminal({ stream: 'stderr', line: 'boom' })).toBe('\x1b[31mboom\x1b[0m\r\n');
    expect(toTerminal({ stream: 'system', line: 'agent started' })).toBe(
      '\x1b[90magent started\x1b[0m\r\n',
    );
  });

  it('normalises embedded and trailing newlines', () => {
    expect(toTerminal({ stream: 'stdout', line: 'a\nb\n' })).toBe('a\r\nb\r\n');
  });

  it('strips colours, cursor moves and OSC links for the plain-text copy', () => {
    expect(stripAnsi('\x1b[1;31mred\x1b[0m plain \x1b[2K\x1b[1Gdone')).toBe('red plain done');
    expect(stripAnsi('\x1b]8;;https://x.dev\x07link\x1b]8;;\x07')).toBe('link');
  });
});

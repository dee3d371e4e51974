import type { LogLine } from '$lib/types/api';

const RED = '\x1b[31m';
// Bright black, which the terminal's theme draws muted: not SGR dim, which halves the contrast.
const DIM = '\x1b[90m';
const RESET = '\x1b[0m';

// CSI sequences (colours, cursor moves), OSC sequences (titles, links) and lone escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** The text of a line without terminal escape sequences, for the plain-text mirror. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/**
 * A log line as the terminal should print it: stdout as-is (it carries its own colours), stderr
 * in red, the orchestrator's own system lines muted; each ends with CR LF.
 */
export function toTerminal(line: Pick<LogLine, 'stream' | 'line'>): string {
  const text = line.line.replace(/\r?\n$/, '').replace(/\r?\n/g, '\r\n');
  switch (line.stream) {
    case 'stderr':
      return `${RED}${text}${RESET}\r\n`;
    case 'system':
      return `${DIM}${text}${RESET}\r\n`;
    default:
      return `${text}\r\n`;
  }
}

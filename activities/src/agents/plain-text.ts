/**
 * Agent output is meant for a terminal (colours, cursor moves). Summaries and error messages
 * are shown as plain text in the console, Temporal Web and logs, so escape sequences go.
 */
// CSI sequences (colours, cursor), OSC sequences (titles, links) and lone two-byte escapes.
const ANSI =
  // eslint-disable-next-line no-control-regex -- matching escape characters is the point
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Plain text, cut to `max` characters with an ellipsis. */
export function oneLineSummary(text: string, max: number): string {
  const plain = stripAnsi(text).trim();
  return plain.length <= max ? plain : `${plain.slice(0, max - 1)}…`;
}

/**
 * One log line is capped so a runaway agent (a minified bundle on one line, a binary dump)
 * cannot blow up Redis entries, WebSocket frames or archive rows. The cut is visible: the
 * marker says how much was dropped, so nothing disappears silently.
 */
export const MAX_LINE_LENGTH = 16 * 1024;

export function truncateLine(line: string, maxLength = MAX_LINE_LENGTH): string {
  if (line.length <= maxLength) return line;
  let end = maxLength;
  // Do not split a surrogate pair: half an emoji would turn into U+FFFD downstream.
  const last = line.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${line.slice(0, end)} … [truncated ${line.length - end} characters]`;
}

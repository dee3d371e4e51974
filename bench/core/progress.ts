/**
 * Progress lines on stderr while the bench runs (the table goes to stdout), stamped with the
 * time since the start, so a long phase shows it is moving and a stuck one shows where.
 */
export interface Progress {
  /** A one-off line. */
  say(phase: string, message: string): void;
  /** "done/total" for a phase, printed every 10 % or every 5 s, and at the end. */
  count(phase: string, done: number, total: number, what?: string): void;
}

export function createProgress(
  write: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Progress {
  const started = Date.now();
  const last = new Map<string, { at: number; tenth: number }>();
  const stamp = () => {
    const seconds = Math.floor((Date.now() - started) / 1000);
    return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
  };
  const say = (phase: string, message: string) => write(`[bench ${stamp()}] ${phase}: ${message}`);
  return {
    say,
    count(phase, done, total, what = '') {
      const tenth = Math.floor((done / Math.max(total, 1)) * 10);
      const previous = last.get(phase);
      const now = Date.now();
      if (done < total && previous && previous.tenth === tenth && now - previous.at < 5_000) return;
      last.set(phase, { at: now, tenth });
      say(phase, `${done}/${total}${what ? ` ${what}` : ''}`);
    },
  };
}

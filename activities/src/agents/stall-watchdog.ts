/**
 * The stall watchdog of an agent step: when the agent prints nothing (no line, no event) for
 * its `stallTimeoutMs`, the watchdog aborts the signal the adapter runs under, which stops the
 * agent's whole process group exactly like a cancellation does (SIGTERM, SIGKILL after the
 * grace period). runAgentStep then fails the attempt with a retryable AgentStalledError, so
 * Temporal retries the step with backoff and, after the last attempt, the session fails with
 * the error's message.
 */

/** Ten minutes: agents think silently for a while, but not for that long. */
export const DEFAULT_STALL_TIMEOUT_MS = 10 * 60_000;

/** The abort reason of a stalled agent (as opposed to a cancellation's). */
export class AgentStall extends Error {
  constructor(
    /** How long the agent had been silent when it was stopped. */
    readonly silentMs: number,
    readonly timeoutMs: number,
  ) {
    super(`no output for ${formatSeconds(timeoutMs)}`);
    this.name = 'AgentStall';
  }
}

export function isAgentStall(reason: unknown): reason is AgentStall {
  return reason instanceof AgentStall;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface StallWatchdog {
  /** Aborted, with an AgentStall as its reason, once the agent has been silent too long. */
  readonly signal: AbortSignal;
  /** The stall, once detected. */
  readonly stall: AgentStall | null;
  /** The agent produced output: the silence starts again from now. */
  touch(): void;
  stop(): void;
}

export interface StallWatchdogOptions {
  timeoutMs: number;
  /** Called once when the stall is detected, before the signal aborts (the kill starts). */
  onStall?(stall: AgentStall): void;
}

/**
 * Starts watching now. `touch` only records the time (agents may print thousands of lines a
 * second); one timer checks at the earliest moment the silence could have reached the timeout.
 */
export function startStallWatchdog(options: StallWatchdogOptions): StallWatchdog {
  const { timeoutMs } = options;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
    throw new RangeError(`stallTimeoutMs must be a positive integer, got ${timeoutMs}`);
  }
  const controller = new AbortController();
  let last = performance.now();
  let stall: AgentStall | null = null;
  let timer: NodeJS.Timeout | undefined;

  const check = () => {
    const silentMs = performance.now() - last;
    if (silentMs < timeoutMs) {
      schedule(timeoutMs - silentMs);
      return;
    }
    stall = new AgentStall(Math.round(silentMs), timeoutMs);
    options.onStall?.(stall);
    controller.abort(stall);
  };
  const schedule = (delayMs: number) => {
    // setTimeout fires at once beyond 2^31-1 ms: a longer timeout is checked again later.
    timer = setTimeout(check, Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(delayMs))));
    timer.unref();
  };
  schedule(timeoutMs);

  return {
    signal: controller.signal,
    get stall() {
      return stall;
    },
    touch() {
      last = performance.now();
    },
    stop() {
      clearTimeout(timer);
    },
  };
}

/** `60 s`, `0.5 s`, `1.25 s`: whole seconds without decimals. */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(2))} s`;
}

/**
 * Typed filters apply after a pause so each key is not a request; anything applied sooner
 * (Enter, a select, Clear) cancels the pending one, so one change is applied once.
 */
export class TypingPause {
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly ms: number,
    private readonly fire: () => void,
  ) {}

  /** Applies after `ms` without another call. */
  later(): void {
    this.cancel();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.fire();
    }, this.ms);
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * Runs that failed while a figure was measured (a session that ended `failed` under load is a
 * result too). They are counted by message, so the figure's notes say what went wrong, and a
 * figure built on too few successful runs is refused rather than printed.
 */
export class RunFailures {
  private readonly byMessage = new Map<string, number>();
  count = 0;

  record(error: unknown): void {
    this.count += 1;
    const message = (error instanceof Error ? error.message : String(error))
      .replace(/session[- ][a-z0-9-]+/g, 'session <id>')
      .slice(0, 300);
    this.byMessage.set(message, (this.byMessage.get(message) ?? 0) + 1);
  }

  /** Throws when more than `maxShare` of `attempted` runs failed: the figure would mean little. */
  check(attempted: number, what: string, maxShare = 0.1): void {
    if (this.count > maxShare * attempted) {
      throw new Error(`${this.count} of ${attempted} ${what} failed: ${this.summary()}`);
    }
  }

  /** A note for the figure, or null when nothing failed. */
  note(attempted: number, what: string, outcome = 'failed and are not counted'): string | null {
    if (this.count === 0) return null;
    return `${this.count} of ${attempted} ${what} ${outcome}: ${this.summary()}`;
  }

  private summary(): string {
    return [...this.byMessage.entries()]
      .map(([message, count]) => (count > 1 ? `${message} (×${count})` : message))
      .join('; ');
  }
}

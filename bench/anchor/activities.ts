/** The anchor's one activity: returns at once, like the orchestrator's no-op step. */
export async function noop(): Promise<void> {}

/** Names the anchor worker and the bench agree on. No imports: the workflow bundle uses it. */
export const ANCHOR_TASK_QUEUE = 'bench-anchor';
export const ANCHOR_WORKFLOW = 'minimal';

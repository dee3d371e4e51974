/**
 * Messages the session workflow handles. Clients (the gateway) import them from here, as in
 * temporalio/samples-typescript, so both sides agree on names and types.
 */
import { defineQuery } from '@temporalio/workflow';
import type { SessionState } from './types.js';

/** The session's status, workspace and checkpoints. */
export const stateQuery = defineQuery<SessionState>('state');

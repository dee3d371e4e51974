import { Context } from '@temporalio/activity';
import type { PrepareWorkspaceInput, PrepareWorkspaceResult } from '../contracts.js';
import { prepareWorkspace, type WorkspaceSettings } from './prepare.js';

/**
 * The `prepareWorkspace` activity. Cloning a large repository takes a while: it heartbeats
 * meanwhile, so a heartbeat timeout detects a dead worker without cutting a slow clone short.
 */
export function createPrepareWorkspace(settings: WorkspaceSettings, heartbeatIntervalMs = 5_000) {
  return async function prepareWorkspaceActivity(
    input: PrepareWorkspaceInput,
  ): Promise<PrepareWorkspaceResult> {
    const context = Context.current();
    // Several beats per heartbeat timeout, however short the workflow set it.
    const timeoutMs = context.info.heartbeatTimeoutMs;
    const intervalMs = timeoutMs
      ? Math.min(heartbeatIntervalMs, timeoutMs / 3)
      : heartbeatIntervalMs;
    const heartbeats = setInterval(() => context.heartbeat(), intervalMs);
    try {
      return await prepareWorkspace(input, settings);
    } finally {
      clearInterval(heartbeats);
    }
  };
}

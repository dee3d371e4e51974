/**
 * Per test file: the Temporal SDK's own logs at WARN, so test output shows failures, not worker
 * state changes. It must be installed before any worker or connection exists.
 */
import { installTemporalRuntimeLogger } from '@orchestrator/worker';

installTemporalRuntimeLogger();

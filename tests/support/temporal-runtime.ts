/**
 * Per test file: the Temporal SDK's own logs at WARN, so test output shows failures, not worker
 * state changes. It must be installed before any worker or connection exists.
 */
import getPort from 'get-port';
import { installTemporalRuntime } from '@orchestrator/worker';

// The SDK's own Prometheus endpoint, on a free port, so tests can scrape `temporal_*` metrics.
const sdkMetricsAddress = `127.0.0.1:${await getPort()}`;
process.env.TEST_TEMPORAL_SDK_METRICS_URL = `http://${sdkMetricsAddress}/metrics`;
installTemporalRuntime({ sdkMetricsAddress });

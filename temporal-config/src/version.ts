/**
 * The Temporal CLI version the project provisions. v1.5.1 is the newest that `go install` can
 * build (v1.6+ carry a replace directive in go.mod that `go install` refuses); it bundles
 * Server 1.29.1 and UI 2.42.1.
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

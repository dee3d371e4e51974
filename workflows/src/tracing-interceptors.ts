/**
 * Workflow interceptors for OpenTelemetry tracing, bundled into the workflow code only when the
 * worker runs with tracing on (worker/src/tracing.ts passes this module to the bundler). Temporal's
 * own interceptors do the work, inside the sandbox and deterministically: a `RunWorkflow:<type>`
 * span continuing the trace the client put in the start headers, a `StartActivity:<type>` span per
 * scheduled activity whose context goes to the activity in its headers, and the finished spans
 * handed out of the sandbox through the `exporter` sink.
 */
export { interceptors } from '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors.js';

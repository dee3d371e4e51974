import { describe, expect, it } from 'vitest';
import { readTracingSettings } from './tracing-settings.js';

describe('readTracingSettings', () => {
  it('is off when no OTEL_* variable asks for traces', () => {
    expect(readTracingSettings({})).toMatchObject({ enabled: false });
    // A service name alone exports nothing.
    expect(readTracingSettings({ OTEL_SERVICE_NAME: 'x' })).toMatchObject({ enabled: false });
  });

  it('is on for an exporter or an OTLP endpoint, with the service name when given', () => {
    expect(readTracingSettings({ OTEL_TRACES_EXPORTER: 'console' })).toEqual({
      enabled: true,
      serviceName: null,
      exporters: ['console'],
    });
    expect(
      readTracingSettings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_SERVICE_NAME: 'orchestrator-worker',
      }),
    ).toEqual({ enabled: true, serviceName: 'orchestrator-worker', exporters: ['otlp'] });
    expect(
      readTracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' }),
    ).toMatchObject({ enabled: true, exporters: ['otlp'] });
  });

  it('reads `none` and OTEL_SDK_DISABLED as the SDK does', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(readTracingSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toMatchObject({
      enabled: false,
    });
    expect(readTracingSettings({ OTEL_TRACES_EXPORTER: 'none,console' })).toMatchObject({
      enabled: false,
    });
    expect(readTracingSettings({ OTEL_TRACES_EXPORTER: 'console,none' })).toMatchObject({
      enabled: true,
      exporters: ['otlp'],
    });
    expect(
      readTracingSettings({ ...endpoint, OTEL_TRACES_EXPORTER: 'otlp', OTEL_SDK_DISABLED: 'TRUE' }),
    ).toMatchObject({ enabled: false, reason: 'OTEL_SDK_DISABLED=true' });
  });

  it('refuses an exporter the SDK does not have, naming the ones it has', () => {
    expect(() => readTracingSettings({ OTEL_TRACES_EXPORTER: 'otlp,jaeger' })).toThrow(
      /jaeger.*otlp, console, zipkin/,
    );
  });
});

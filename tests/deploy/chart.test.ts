/**
 * The Helm chart, offline: helm lint, helm template for the quick-start and production values,
 * every rendered object checked against the Kubernetes schemas (kubernetes-models, plus exact
 * field names through its TypeScript types), and the properties the deployment relies on.
 * helm is built once per machine (tests/deploy/support/helm.ts explains the offline copy).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readTracingSettings } from '@orchestrator/activities/tracing-settings';
import { CUSTOM_SEARCH_ATTRIBUTES } from '@orchestrator/workflows/search-attributes';
import {
  documentValues,
  readmeTable,
  renderTable,
  tableCells,
  README_FILE,
  VALUES_FILE,
} from '../../deploy/tools/values-table.js';
import { currentValuesSchema, SCHEMA_FILE } from '../../deploy/tools/values-schema.js';
import {
  CHART_DIR,
  KUBE_VERSION,
  helm,
  offlineChartCopy,
  parseManifests,
  renderChart,
  valueArgs,
  type K8sObject,
  type OfflineChart,
  type RenderOptions,
} from './support/helm.js';
import { checkKnownFields, validateSchemas } from './support/k8s-schema.js';

const EXTERNAL_TEMPORAL = {
  'temporal.enabled': 'false',
  'config.temporal.address': 'temporal-frontend.temporal.svc:7233',
};

/** The renders every check below runs on. */
const SCENARIOS: Record<string, RenderOptions> = {
  // The offline-validation mode of the issue: quick start with an external Temporal.
  'quick start, external Temporal': { set: EXTERNAL_TEMPORAL },
  // Quick start as shipped: our side of the bundled Temporal (the subchart is not rendered).
  'quick start, bundled Temporal': {},
  production: { valuesFiles: ['values-production.yaml'] },
  // Traces to a collector that wants credentials, human-readable logs.
  'quick start, traced': {
    set: {
      ...EXTERNAL_TEMPORAL,
      'tracing.enabled': 'true',
      'tracing.endpoint': 'http://otel-collector.monitoring.svc:4318',
      'tracing.headersSecret': 'otlp-auth',
      'tracing.resourceAttributes.deployment\\.environment\\.name': 'staging',
      'config.logFormat': 'pretty',
    },
  },
};

/** API versions the chart may use: GA in every Kubernetes it supports (1.27+). */
const ALLOWED_API_VERSIONS = new Set([
  'v1',
  'apps/v1',
  'batch/v1',
  'policy/v1',
  'autoscaling/v2',
  'networking.k8s.io/v1',
]);

interface Container {
  name: string;
  image: string;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  volumeMounts?: { name: string; mountPath: string }[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string } } }[];
  command?: string[];
}
interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: Container[];
  automountServiceAccountToken?: boolean;
  affinity?: { podAntiAffinity?: unknown };
  volumes?: { name: string }[];
}

function podSpecOf(object: K8sObject): PodSpec | null {
  const spec = object.spec as Record<string, unknown> | undefined;
  if (object.kind === 'Pod') return spec as unknown as PodSpec;
  const template = spec?.template as { spec?: PodSpec } | undefined;
  return template?.spec ?? null;
}

const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found)
    throw new Error(
      `no ${kind} ${name} in: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`,
    );
  return found;
};

let chart: OfflineChart;
const rendered: Record<string, K8sObject[]> = {};

beforeAll(async () => {
  chart = await offlineChartCopy();
  for (const [name, options] of Object.entries(SCENARIOS)) {
    rendered[name] = parseManifests(await renderChart(chart.dir, options));
  }
});

afterAll(async () => {
  await chart?.remove();
});

describe('helm lint', () => {
  it('passes --strict for the quick-start and production values', async () => {
    for (const options of [
      { set: EXTERNAL_TEMPORAL },
      { valuesFiles: ['values-production.yaml'] },
    ]) {
      const result = await helm([
        'lint',
        chart.dir,
        '--strict',
        '--kube-version',
        KUBE_VERSION,
        ...valueArgs(chart.dir, options),
      ]);
      expect(result.stderr + result.stdout).not.toMatch(/\[(ERROR|WARNING)\]/);
      expect(result.code, result.stdout + result.stderr).toBe(0);
    }
  });

  it('accepts the chart as shipped, reporting only the Temporal dependency as not downloaded', async () => {
    const result = await helm([
      'lint',
      CHART_DIR,
      '--kube-version',
      KUBE_VERSION,
      ...valueArgs(CHART_DIR, { set: EXTERNAL_TEMPORAL }),
    ]);
    const output = result.stdout + result.stderr;
    expect(result.code, output).toBe(0);
    const findings = output.split('\n').filter((line) => /\[(ERROR|WARNING)\]/.test(line));
    expect(findings).toEqual([
      expect.stringContaining('chart directory is missing these dependencies: temporal'),
    ]);
  });
});

describe('Chart.yaml', () => {
  it('declares the official Temporal chart as a dependency behind temporal.enabled', async () => {
    const meta = parse(await readFile(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as {
      dependencies: { name: string; repository: string; condition: string; version: string }[];
    };
    expect(meta.dependencies).toEqual([
      {
        name: 'temporal',
        repository: 'https://go.temporal.io/helm-charts',
        condition: 'temporal.enabled',
        version: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      },
    ]);
  });
});

describe.each(Object.keys(SCENARIOS))('helm template: %s', (scenario) => {
  const objects = () => rendered[scenario]!;

  it('uses only GA API versions', () => {
    const other = objects().filter((o) => !ALLOWED_API_VERSIONS.has(o.apiVersion));
    expect(other.map((o) => `${o.apiVersion} ${o.kind}`)).toEqual([]);
  });

  it('renders objects that validate against the Kubernetes OpenAPI schemas', async () => {
    expect(objects().length).toBeGreaterThan(10);
    expect(await validateSchemas(objects())).toEqual([]);
  });

  it('renders no field that Kubernetes does not know (strict, like kubeconform -strict)', () => {
    expect(checkKnownFields(objects())).toEqual([]);
  });

  it('runs every container non-root with a read-only root filesystem, no privileges and resources', () => {
    for (const object of objects()) {
      const pod = podSpecOf(object);
      if (!pod) continue;
      const where = `${object.kind} ${object.metadata.name}`;
      expect(pod.securityContext, where).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.automountServiceAccountToken, where).toBe(false);
      for (const container of pod.containers) {
        expect(container.securityContext, `${where}/${container.name}`).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.resources?.requests, `${where}/${container.name}`).toBeDefined();
        expect(container.resources?.limits, `${where}/${container.name}`).toBeDefined();
        expect(
          container.volumeMounts?.some((m) => m.mountPath === '/tmp'),
          `${where}/${container.name} mounts /tmp`,
        ).toBe(true);
      }
    }
  });

  it('gives the gateway /readyz and /healthz probes, anti-affinity and a zero-downtime rollout', () => {
    const gateway = find(objects(), 'Deployment', 'orchestrator-gateway');
    const pod = podSpecOf(gateway)!;
    const [container] = pod.containers;
    expect(container?.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(container?.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(pod.affinity?.podAntiAffinity).toBeDefined();
    expect(gateway.spec).toMatchObject({
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } },
    });
  });

  it('gives each worker its own workspaces volume, probes and a long drain', () => {
    const worker = find(objects(), 'Deployment', 'orchestrator-worker');
    const pod = podSpecOf(worker)! as PodSpec & { terminationGracePeriodSeconds: number };
    const [container] = pod.containers;
    expect(container?.volumeMounts).toContainEqual({
      name: 'workspaces',
      mountPath: '/var/lib/orchestrator/workspaces',
    });
    const workspaces = pod.volumes?.find((v) => v.name === 'workspaces') as Record<string, unknown>;
    expect(workspaces.emptyDir ?? workspaces.ephemeral).toBeDefined();
    expect(container?.livenessProbe?.httpGet).toBeDefined();
    expect(container?.readinessProbe?.httpGet).toBeDefined();
    expect(container?.command?.slice(0, 2)).toEqual(['/usr/bin/tini', '--']);
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(300);
    expect(pod.affinity?.podAntiAffinity).toBeDefined();
  });

  it('points both processes at one Temporal, Postgres and Redis', () => {
    const config = find(objects(), 'ConfigMap', 'orchestrator-config') as K8sObject & {
      data: Record<string, string>;
    };
    const expected =
      scenario === 'quick start, bundled Temporal'
        ? 'orchestrator-temporal-frontend.orchestrator.svc:7233'
        : 'temporal-frontend.temporal.svc:7233';
    expect(config.data.TEMPORAL_ADDRESS).toBe(expected);
    for (const name of ['orchestrator-gateway', 'orchestrator-worker']) {
      const env = podSpecOf(find(objects(), 'Deployment', name))!.containers[0]!.env ?? [];
      const names = env.map((e) => e.name);
      expect(names).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL']));
    }
  });

  it('runs migrations in a hook Job before upgrades, and the search-attribute Job after', () => {
    const migrate = find(objects(), 'Job', 'orchestrator-migrate');
    const hooks = migrate.metadata.annotations?.['helm.sh/hook'] ?? '';
    expect(hooks.split(',')).toContain('pre-upgrade');
    // The bundled Postgres does not exist while pre-install hooks run; an external one does.
    expect(hooks.split(',')).toContain(scenario === 'production' ? 'pre-install' : 'post-install');
    // Only the database: a pre-install hook cannot use Secrets the release has not created yet.
    const migrateEnv = (podSpecOf(migrate)!.containers[0]!.env ?? []).map((e) => e.name);
    expect(
      migrateEnv.filter((name) => !['POSTGRES_PASSWORD', 'DATABASE_URL'].includes(name)),
    ).toEqual([]);
    expect(podSpecOf(migrate)!.containers[0]!.command).toEqual([
      'node',
      '--import',
      'tsx',
      'deploy/scripts/migrate.ts',
    ]);
    const setup = find(objects(), 'Job', 'orchestrator-temporal-setup');
    expect(setup.metadata.annotations?.['helm.sh/hook']).toBe('post-install,post-upgrade');
    expect(podSpecOf(setup)!.containers[0]!.image).toMatch(/^temporalio\/admin-tools:\d/);
  });

  it('guards the namespace with a ResourceQuota, a LimitRange and NetworkPolicies', () => {
    expect(objects().filter((o) => o.kind === 'ResourceQuota')).toHaveLength(1);
    expect(objects().filter((o) => o.kind === 'LimitRange')).toHaveLength(1);
    const deny = find(objects(), 'NetworkPolicy', 'orchestrator-default-deny');
    expect(deny.spec).toMatchObject({ policyTypes: ['Ingress'] });
    const policies = objects()
      .filter((o) => o.kind === 'NetworkPolicy')
      .map((o) => o.metadata.name);
    expect(policies).toEqual(
      expect.arrayContaining([
        'orchestrator-gateway',
        'orchestrator-worker',
        'orchestrator-egress',
      ]),
    );
  });
});

describe('helm template: production', () => {
  const objects = () => rendered.production!;

  it('autoscales both Deployments and keeps them available through drains', () => {
    for (const name of ['orchestrator-gateway', 'orchestrator-worker']) {
      const hpa = find(objects(), 'HorizontalPodAutoscaler', name);
      expect(hpa.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name } });
      expect(find(objects(), 'PodDisruptionBudget', name)).toBeDefined();
      expect(
        (find(objects(), 'Deployment', name).spec as { replicas?: number }).replicas,
      ).toBeUndefined();
    }
  });

  it('serves the console over TLS with rate limits, and /ws as a long-lived WebSocket', () => {
    const http = find(objects(), 'Ingress', 'orchestrator-gateway');
    const ws = find(objects(), 'Ingress', 'orchestrator-ws');
    for (const ingress of [http, ws]) {
      expect(ingress.spec).toMatchObject({
        tls: [{ hosts: ['orchestrator.example.com'], secretName: 'orchestrator-tls' }],
      });
      expect(ingress.metadata.annotations).toMatchObject({
        'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
        'nginx.ingress.kubernetes.io/limit-connections': expect.any(String),
      });
    }
    expect(http.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/limit-rps': '20',
      'cert-manager.io/cluster-issuer': 'letsencrypt-prod',
    });
    expect(ws.spec).toMatchObject({
      rules: [{ http: { paths: [{ path: '/ws', pathType: 'Exact' }] } }],
    });
    expect(ws.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-http-version': '1.1',
    });
  });

  it('bundles nothing and reads the connection strings from the existing Secret', () => {
    expect(objects().filter((o) => o.kind === 'StatefulSet')).toEqual([]);
    expect(objects().filter((o) => o.kind === 'Secret')).toEqual([]);
    const env = podSpecOf(find(objects(), 'Deployment', 'orchestrator-worker'))!.containers[0]!
      .env!;
    expect(env.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef?.name).toBe(
      'orchestrator-connections',
    );
  });
});

describe('values that contradict each other stop the release with the value to set', () => {
  it.each([
    [{ 'temporal.enabled': 'false' }, /config\.temporal\.address is required/],
    [
      { ...EXTERNAL_TEMPORAL, 'postgresql.enabled': 'false' },
      /set secrets\.existingSecret .* or secrets\.databaseUrl/,
    ],
    [{ ...EXTERNAL_TEMPORAL, 'config.authRequired': 'false' }, /config\.authRequired must be/],
    [
      { ...EXTERNAL_TEMPORAL, 'gateway.podAntiAffinity': 'always' },
      /podAntiAffinity must be soft, hard or none/,
    ],
    [
      { ...EXTERNAL_TEMPORAL, 'worker.workspaces.type': 'hostPath' },
      /workspaces\.type must be emptyDir or ephemeral/,
    ],
    [
      { 'postgresql.auth.username': 'app' },
      /sql\.user is "orchestrator" but the bundled Postgres user is "app"/,
    ],
  ])('%j', async (set, message) => {
    await expect(renderChart(chart.dir, { set })).rejects.toThrow(message);
  });

  it("a bundled Temporal whose store is not the release's bundled Postgres", async () => {
    await expect(renderChart(chart.dir, { release: 'io' })).rejects.toThrow(
      /connectAddr is "orchestrator-postgresql:5432" but the bundled Postgres of release "io" is "io-postgresql:5432"/,
    );
  });
});

describe('values', () => {
  it('registers exactly the search attributes the workflows use', async () => {
    const values = parse(await readFile(VALUES_FILE, 'utf8')) as {
      temporalSetup: { searchAttributes: { name: string; type: string }[] };
    };
    const cliType = (type: string) =>
      type === 'KEYWORD_LIST' ? 'KeywordList' : type.charAt(0) + type.slice(1).toLowerCase();
    expect(values.temporalSetup.searchAttributes).toEqual(
      CUSTOM_SEARCH_ATTRIBUTES.map((key) => ({ name: key.name, type: cliType(key.type) })),
    );
  });

  it('documents every value, and deploy/README.md has the current table', async () => {
    const { rows, undocumented } = documentValues(await readFile(VALUES_FILE, 'utf8'));
    expect(undocumented, 'add a "# -- …" comment above these keys in values.yaml').toEqual([]);
    const readme = await readFile(README_FILE, 'utf8');
    expect(
      tableCells(readmeTable(readme)),
      'regenerate: node --import tsx deploy/tools/values-table.ts --write && npx prettier --write deploy/README.md',
    ).toEqual(tableCells(renderTable(rows)));
  });
});

describe('logs and traces', () => {
  const configOf = (scenario: string) =>
    (
      find(rendered[scenario]!, 'ConfigMap', 'orchestrator-config') as K8sObject & {
        data: Record<string, string>;
      }
    ).data;
  const envOf = (scenario: string, deployment: string) =>
    podSpecOf(find(rendered[scenario]!, 'Deployment', deployment))!.containers[0]!.env ?? [];

  it('logs JSON and traces nothing by default: no OTEL_* variable, so no SDK', () => {
    const config = configOf('quick start, external Temporal');
    expect(config.LOG_FORMAT).toBe('json');
    expect(Object.keys(config).filter((key) => key.startsWith('OTEL_'))).toEqual([]);
    expect(readTracingSettings(config)).toMatchObject({ enabled: false });
  });

  it('sets the standard OTEL_* variables the processes read when tracing is on', () => {
    const config = configOf('quick start, traced');
    expect(config).toMatchObject({
      LOG_FORMAT: 'pretty',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.monitoring.svc:4318',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_TRACES_SAMPLER: 'parentbased_always_on',
      OTEL_RESOURCE_ATTRIBUTES:
        'k8s.namespace.name=orchestrator,deployment.environment.name=staging',
    });
    // What the gateway and the worker will make of it (activities' tracing-settings.ts).
    expect(readTracingSettings(config)).toEqual({
      enabled: true,
      serviceName: null,
      exporters: ['otlp'],
    });
    for (const deployment of ['orchestrator-gateway', 'orchestrator-worker']) {
      const headers = envOf('quick start, traced', deployment).find(
        (entry) => entry.name === 'OTEL_EXPORTER_OTLP_HEADERS',
      );
      expect(headers?.valueFrom?.secretKeyRef?.name, deployment).toBe('otlp-auth');
    }
  });

  it("opens the collector's port in the egress policy only when tracing is on", () => {
    const egressPorts = (scenario: string) => {
      const policy = find(
        rendered[scenario]!,
        'NetworkPolicy',
        'orchestrator-egress',
      ) as K8sObject & {
        spec: { egress: { ports?: { port: number }[] }[] };
      };
      return policy.spec.egress.flatMap((rule) => (rule.ports ?? []).map((entry) => entry.port));
    };
    expect(egressPorts('quick start, traced')).toContain(4318);
    expect(egressPorts('quick start, external Temporal')).not.toContain(4318);
  });

  it('refuses tracing without an endpoint, naming the value to set', async () => {
    await expect(
      renderChart(chart.dir, { set: { ...EXTERNAL_TEMPORAL, 'tracing.enabled': 'true' } }),
    ).rejects.toThrow(/tracing\.endpoint is empty/);
  });
});

describe('values.schema.json', () => {
  it('is generated from the current values.yaml', async () => {
    const committed = JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as unknown;
    expect(
      committed,
      'regenerate: node --import tsx deploy/tools/values-schema.ts --write && npx prettier --write deploy/helm/industrial-orchestrator/values.schema.json',
    ).toEqual(await currentValuesSchema());
  });

  it.each([
    [{ 'gateway.replicaCount': 'two' }, /replicaCount/],
    [{ 'config.logFormat': 'xml' }, /logFormat/],
    [{ 'tracing.protocol': 'thrift' }, /protocol/],
    [{ 'ingress.rateLimit.rps': '0' }, /rps/],
    // A misspelt key would otherwise be ignored without a word.
    [{ 'gatway.replicaCount': '3' }, /gatway/],
    [{ 'worker.metrics.port': '70000' }, /port/],
  ])('makes helm refuse %j', async (set, message) => {
    const error = await renderChart(chart.dir, { set: { ...EXTERNAL_TEMPORAL, ...set } }).then(
      () => null,
      (failure: unknown) => failure as Error,
    );
    expect(error?.message).toMatch(/schema/);
    expect(error?.message).toMatch(message);
  });
});

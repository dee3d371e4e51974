/**
 * helm against the chart, offline. The official Temporal chart (a dependency behind
 * `temporal.enabled`) cannot be fetched here, and `helm template` refuses a chart whose declared
 * dependency is missing from charts/ even when its condition is false. So the checks render a
 * copy of the chart whose Chart.yaml lacks that one dependency: every template of ours renders,
 * with Temporal bundled or not, and only the subchart's own manifests are absent.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { provisionGoTool } from '../../../deploy/tools/go-tools.js';
import { HELM } from '../../../deploy/tools/versions.js';

export const CHART_DIR = fileURLToPath(
  new URL('../../../deploy/helm/industrial-orchestrator', import.meta.url),
);
/** The oldest Kubernetes the chart supports is 1.27; render for a current one. */
export const KUBE_VERSION = '1.30.0';
export const RELEASE = 'orchestrator';
export const NAMESPACE = 'orchestrator';

export interface HelmResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  [field: string]: unknown;
}

let helmPath: Promise<string> | null = null;

/** The pinned helm, built into the user's cache on first use (about 80 s). */
export function helmBinary(): Promise<string> {
  helmPath ??= provisionGoTool(HELM, { log: (line) => console.log(line) });
  return helmPath;
}

export async function helm(args: string[]): Promise<HelmResult> {
  const binary = await helmBinary();
  return new Promise((resolve, reject) => {
    // A private HOME-independent config: no repositories, no plugins, nothing from the user.
    const child = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HELM_CONFIG_HOME: join(tmpdir(), 'io-helm-config') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

export interface OfflineChart {
  dir: string;
  remove(): Promise<void>;
}

/** A copy of the chart without the Temporal dependency in Chart.yaml (see the top). */
export async function offlineChartCopy(): Promise<OfflineChart> {
  const root = await mkdtemp(join(tmpdir(), 'io-chart-'));
  const dir = join(root, 'industrial-orchestrator');
  await cp(CHART_DIR, dir, { recursive: true });
  const chartFile = join(dir, 'Chart.yaml');
  const chart = parse(await readFile(chartFile, 'utf8')) as {
    dependencies?: { name: string }[];
  };
  chart.dependencies = (chart.dependencies ?? []).filter((dep) => dep.name !== 'temporal');
  if (chart.dependencies.length === 0) delete chart.dependencies;
  await writeFile(chartFile, stringify(chart));
  return { dir, remove: () => rm(root, { recursive: true, force: true }) };
}

export interface RenderOptions {
  /** Values files relative to the chart (values.yaml is always applied first by helm). */
  valuesFiles?: string[];
  set?: Record<string, string>;
  release?: string;
}

export function valueArgs(chartDir: string, options: RenderOptions): string[] {
  return [
    ...(options.valuesFiles ?? []).flatMap((file) => ['-f', join(chartDir, file)]),
    ...Object.entries(options.set ?? {}).flatMap(([key, value]) => ['--set', `${key}=${value}`]),
  ];
}

/** `helm template`; throws with helm's message when it fails. */
export async function renderChart(chartDir: string, options: RenderOptions): Promise<string> {
  const result = await helm([
    'template',
    options.release ?? RELEASE,
    chartDir,
    '--namespace',
    NAMESPACE,
    '--kube-version',
    KUBE_VERSION,
    ...valueArgs(chartDir, options),
  ]);
  if (result.code !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return result.stdout;
}

/** The manifests of a multi-document YAML stream (empty documents dropped). */
export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`invalid YAML from helm: ${doc.errors[0]?.message}`);
      return doc.toJSON() as K8sObject | null;
    })
    .filter((doc): doc is K8sObject => doc !== null);
}

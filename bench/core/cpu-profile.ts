/**
 * Reads a V8 CPU profile (node --cpu-prof) and says where the time went: self time by package
 * (or project folder) and the hottest functions. The "profile it" of a missed target.
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  byPackage: Array<{ name: string; ms: number; share: number }>;
  topFunctions: Array<{ name: string; ms: number; share: number }>;
}

/** node_modules/<pkg> (scoped too), a project folder, or V8's own buckets like (garbage collector). */
function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  if (url.startsWith('node:')) return 'node core';
  const project = /\/(bench|workflows|activities|worker|gateway|temporal-config|scripts)\//.exec(
    url,
  );
  return project ? `${project[1]}/` : url.replace(/^file:\/\//, '');
}

export async function summarizeProfile(file: string, top = 10): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const samples = profile.samples?.length ?? 0;
  const msPerHit = samples > 0 ? (profile.endTime - profile.startTime) / 1000 / samples : 0;
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = (node.hitCount ?? 0) * msPerHit;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const pkg = packageOf(url, functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + ms);
    const name =
      `${functionName || '(anonymous)'} ${url ? `${url.split('/').slice(-2).join('/')}:${lineNumber + 1}` : ''}`.trim();
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const busy = [...byPackage.entries()]
    .filter(([name]) => name !== '(idle)')
    .reduce((sum, [, ms]) => sum + ms, 0);
  const rank = (map: Map<string, number>) =>
    [...map.entries()]
      .filter(([name]) => !name.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, share: busy > 0 ? ms / busy : 0 }));
  return { file, totalMs: busy, byPackage: rank(byPackage), topFunctions: rank(byFunction) };
}

export function describeProfile(summary: ProfileSummary): string[] {
  const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
  return [
    `${summary.file}: ${(summary.totalMs / 1000).toFixed(1)} s of CPU (idle excluded)`,
    `  by package: ${summary.byPackage.map((p) => `${p.name} ${pct(p.share)}`).join(', ')}`,
    ...summary.topFunctions.map((f) => `  ${pct(f.share).padStart(6)}  ${f.name}`),
  ];
}

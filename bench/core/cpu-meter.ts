/**
 * CPU spent by each process of the run during one phase: the bench's coarse profile of where a
 * session's cost goes on this machine (2 cores: at most 2,000 ms of CPU per second of wall time).
 * Postgres and Redis are shared with anything else on the machine; the machine total says how
 * much else was going on.
 */
import { availableParallelism } from 'node:os';
import { cpuMs, machineBusyMs, pidsNamed, treeCpuMs } from './proc-stats.js';

export interface CpuUsage {
  wallMs: number;
  /** CPU ms per process name during the phase (worker includes its descendants: agents, git). */
  byProcess: Record<string, number>;
  machineBusyMs: number;
}

interface Tracked {
  name: string;
  pids: number[];
  children: boolean;
}

export function startCpuMeter(processes: Array<{ name: string; pid: number }>): () => CpuUsage {
  const tracked: Tracked[] = [
    ...processes.map(({ name, pid }) => ({ name, pids: [pid], children: true })),
    { name: 'bench (this process)', pids: [process.pid], children: false },
    { name: 'postgres (shared)', pids: pidsNamed('postgres'), children: false },
    { name: 'redis (shared)', pids: pidsNamed('redis-server'), children: false },
  ];
  const read = () =>
    tracked.map(({ pids, children }) =>
      pids.reduce((sum, pid) => {
        try {
          // The run's processes count with everything they started, running or reaped.
          return sum + (children ? treeCpuMs(pid) : cpuMs(pid, false));
        } catch {
          return sum; // exited
        }
      }, 0),
    );
  const startedAt = Date.now();
  const before = read();
  const busyBefore = machineBusyMs();
  return () => {
    const after = read();
    return {
      wallMs: Date.now() - startedAt,
      byProcess: Object.fromEntries(
        tracked.map(({ name }, index) => [name, Math.max(0, after[index]! - before[index]!)]),
      ),
      machineBusyMs: machineBusyMs() - busyBefore,
    };
  };
}

/** CPU of the run's own processes (and the shared Postgres and Redis) during the phase. */
export function ownCpuMs(usage: CpuUsage): number {
  return Object.values(usage.byProcess).reduce((sum, ms) => sum + ms, 0);
}

/** Share of the whole machine (all cores) that was busy during the phase, 0–1. */
export function machineBusyShare(usage: CpuUsage): number {
  return usage.machineBusyMs / usage.wallMs / availableParallelism();
}

/**
 * "worker 41 ms · temporal 12 ms · … = 60 ms in this run's processes; the machine as a whole
 * 80 ms (…% busy)" per unit (e.g. per session), largest first.
 */
export function describeCpu(usage: CpuUsage, units: number, unit: string): string {
  const per = (ms: number) => `${(ms / units).toFixed(1)} ms`;
  const parts = Object.entries(usage.byProcess)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${per(ms)}`);
  const busy = Math.round(machineBusyShare(usage) * 100);
  return (
    `CPU per ${unit}: ${parts.join(' · ')} = ${per(ownCpuMs(usage))} in this run's processes; ` +
    `the machine as a whole ${per(usage.machineBusyMs)} (${busy}% busy${usage.machineBusyMs > 1.2 * ownCpuMs(usage) ? ', the rest is other work on the machine' : ''})`
  );
}

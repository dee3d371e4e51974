/**
 * CPU spent by each process of the run during one phase: the bench's coarse profile of where a
 * session's cost goes on this machine (2 cores: at most 2,000 ms of CPU per second of wall time).
 * Postgres and Redis are shared with anything else on the machine; the machine total says how
 * much else was going on.
 */
import { cpuMs, machineBusyMs, pidsNamed } from './proc-stats.js';

export interface CpuUsage {
  wallMs: number;
  /** CPU ms per process name during the phase (worker includes its agents and git). */
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
          return sum + cpuMs(pid, children);
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

/** "worker 41 ms · temporal 12 ms · …" per unit (e.g. per session), largest first. */
export function describeCpu(usage: CpuUsage, units: number, unit: string): string {
  const parts = Object.entries(usage.byProcess)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${(ms / units).toFixed(1)} ms`);
  const busy = usage.machineBusyMs / units;
  return `CPU per ${unit}: ${parts.join(' · ')} · machine total ${busy.toFixed(1)} ms (${((usage.machineBusyMs / usage.wallMs) * 100).toFixed(0)}% of one core on average)`;
}

/**
 * Memory and CPU of processes from /proc (Linux), read from outside so measuring costs the
 * measured process nothing. CPU times are in USER_HZ ticks of 10 ms on Linux.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10;

/** Resident set size in MB (10^6 bytes; VmRSS is in KiB). */
export function rssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status: is ${pid} a live process?`);
  return (Number(match[1]) * 1024) / 1e6;
}

/** RSS split into anonymous memory (heaps, caches) and file-backed pages (binary, native modules). */
export function rssBreakdownMB(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  const mb = (value: number) => (value * 1024) / 1e6;
  return {
    rss: mb(kB('VmRSS')),
    anon: mb(kB('RssAnon')),
    file: mb(kB('RssFile') + kB('RssShmem')),
  };
}

/** CPU time of a process; with `children`, plus that of the children it has reaped. */
export function cpuMs(pid: number, children = true): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at the state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const field = (n: number) => Number(fields[n - 3]);
  const own = field(14) + field(15);
  return (children ? own + field(16) + field(17) : own) * TICK_MS;
}

/**
 * CPU time of a process and all its descendants: its own, its reaped children's, and that of
 * the descendants still running (a long-lived helper, such as the worker's git spawner, reaps
 * its own children, which the worker's reaped-children fields never see while it lives).
 */
export function treeCpuMs(pid: number): number {
  let total = cpuMs(pid, true);
  for (const child of livingChildren(pid)) {
    try {
      total += treeCpuMs(child);
    } catch {
      // Exited meanwhile: its time is in its parent's reaped-children fields by now, or soon.
    }
  }
  return total;
}

/** Children of every thread of `pid` (/proc/<pid>/task/<tid>/children). */
function livingChildren(pid: number): number[] {
  const children: number[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const list = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (list) children.push(...list.split(' ').map(Number));
    } catch {
      // Thread gone, or a kernel without the children file: count what is reaped only.
    }
  }
  return children;
}

/** Busy CPU time of the whole machine, all cores (everything but idle and iowait). */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, ...values] = line.trim().split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = values;
  return (user + nice + system + irq + softirq + steal) * TICK_MS;
}

/** Pids whose command name is `comm` (e.g. the shared postgres and redis-server). */
export function pidsNamed(comm: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // Gone while we looked.
    }
  }
  return pids;
}

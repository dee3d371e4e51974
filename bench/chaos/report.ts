/** The chaos run's printed result: what was done to the system, and each check with its counts. */
import type { ChaosReport } from './scenario.js';

const mark = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');

export function formatChaosReport(report: ChaosReport): string {
  const { sessions, logs, websocket, api, options } = report;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const outages = report.outages
    .map((window) => `${window.target} ${seconds(window.to - window.from)}`)
    .join(', ');
  const planned = (['complete', 'fail', 'cancel'] as const)
    .map(
      (plan) =>
        `${sessions.asPlanned[plan]}/${sessions.expected[plan]} ${plan === 'complete' ? 'completed' : plan === 'fail' ? 'failed' : 'cancelled'}`,
    )
    .join(', ');
  const asPlanned =
    sessions.asPlanned.complete + sessions.asPlanned.fail + sessions.asPlanned.cancel;
  const rows: Array<[boolean, string, string]> = [
    [
      asPlanned === sessions.total && sessions.listed === sessions.total,
      'terminal states',
      `${asPlanned}/${sessions.total} as planned (${planned}); ${sessions.listed} listed`,
    ],
    [
      logs.complete === sessions.total,
      'archived logs',
      `${logs.complete}/${sessions.total} complete and in order; ${logs.numberedLines} numbered lines ` +
        `in ${logs.attempts} agent runs (${logs.attempts - sessions.total} steps run again after a kill or timeout)`,
    ],
    [
      websocket.exactlyOnce === websocket.clients,
      'websocket delivery',
      `${websocket.exactlyOnce}/${websocket.clients} clients saw every line exactly once; ` +
        `${websocket.reconnectedExactlyOnce}/${websocket.reconnected} of those that reconnected ` +
        `(${websocket.reconnects} reconnects, ${websocket.refusals} refused subscriptions retried)`,
    ],
    [report.agentProcessesLeft === 0, 'agent processes left', String(report.agentProcessesLeft)],
    [
      api.serverErrorsOutside === 0,
      'HTTP 5xx outside outages',
      `${api.serverErrorsOutside} (${api.serverErrorsDuringOutages} during outages, ` +
        `${api.noConnection} refused connections, ${api.calls} calls, grace ${seconds(options.graceMs)})`,
    ],
  ];
  const lines = [
    '',
    `Chaos run: ${sessions.total} sessions × ${options.lines} lines every ${options.intervalMs} ms, ` +
      `${seconds(report.durationMs)}`,
    `Outages (down → ready): ${outages || 'none'}`,
    '',
    ...rows.map(([ok, name, detail]) => `  ${mark(ok)}  ${name.padEnd(26)} ${detail}`),
    '',
  ];
  if (report.problems.length > 0) {
    lines.push(`${report.problems.length} problems:`);
    lines.push(...report.problems.slice(0, 40).map((problem) => `  - ${problem}`));
    if (report.problems.length > 40) lines.push(`  … and ${report.problems.length - 40} more`);
    lines.push('');
  }
  lines.push(report.problems.length === 0 ? 'All checks passed.' : 'Chaos run FAILED.');
  return lines.join('\n');
}

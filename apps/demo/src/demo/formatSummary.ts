import { relative } from 'node:path';
import type { DemoResult } from './DemoResult.js';
import { formatMs } from './formatMs.js';
import { formatTable } from './formatTable.js';

/** The end-of-run summary: one row per shutdown, the load, and where the pictures are. */
export function formatSummary(result: DemoResult): string {
  const { budgets } = result;
  const rows = result.shutdowns.map(({ report, numbers, failedRequests }) => [
    report.replica,
    `${numbers.agentsMoved}/${numbers.agents}`,
    formatMs(numbers.reconnectMaxMs),
    formatMs(numbers.reconnectP99Ms),
    formatMs(numbers.agents === 0 ? undefined : numbers.advertisedMs),
    formatMs(numbers.unreachableMaxMs),
    formatMs(numbers.proxyDrainMs),
    String(report.exitCode ?? '–'),
    String(failedRequests),
  ]);
  const byStatus = new Map<string, number>();
  for (const failure of result.failures) {
    const reason = (failure.error ?? 'unknown').replace(/"agent-[\d-]+"/g, '"<agent>"').trim();
    byStatus.set(reason, (byStatus.get(reason) ?? 0) + 1);
  }
  const reasons = [...byStatus]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([reason, count]) => `  ${count} x ${reason}`);
  return [
    `kas rolling restart, stop order: ${result.stopOrder}`,
    `${result.replicas} replicas, ${result.agents} agents, drain budget ${formatMs(budgets.drainBudgetMs)}, listen grace ${formatMs(budgets.listenGraceMs)}, tunnel wait ${formatMs(budgets.tunnelWaitMs)}; took ${formatMs(result.durationMs)}`,
    '',
    formatTable(
      [
        'replica',
        'agents moved',
        'all elsewhere (max)',
        'p99',
        'advertised after SIGTERM',
        'unreachable (max)',
        'proxy drain',
        'exit',
        'failed requests',
      ],
      rows,
    ),
    '',
    `requests: ${result.load.ok} ok, ${result.load.failed} failed · watches: ${result.load.watchesOpened} opened, ${result.load.watchesEndedByServer} ended by a replica's stop (and opened again)`,
    ...(reasons.length === 0 ? [] : ['failures:', ...reasons]),
    'timelines:',
    ...result.shutdowns.map((shutdown) => `  ${relative(process.cwd(), shutdown.timeline)}`),
  ].join('\n');
}

/** Current and legacy side by side: the worst of their shutdowns, row by row. */
export function formatComparison(current: DemoResult, legacy: DemoResult): string {
  const worst = (result: DemoResult, pick: (index: number) => number | undefined) => {
    const values = result.shutdowns.map((_, index) => pick(index));
    return values.includes(undefined) ? undefined : Math.max(...(values as number[]));
  };
  const row = (label: string, pick: (result: DemoResult) => string) => [label, pick(current), pick(legacy)];
  const ms =
    (field: 'reconnectMaxMs' | 'reconnectP99Ms' | 'advertisedMs' | 'unreachableMaxMs') =>
    (result: DemoResult) =>
      formatMs(worst(result, (index) => result.shutdowns[index]?.numbers[field]));
  return formatTable(
    ['worst of 3 restarts', 'current', 'legacy'],
    [
      row('failed requests', (result) => String(result.load.failed)),
      row('SIGTERM -> all agents live elsewhere (max)', ms('reconnectMaxMs')),
      row('SIGTERM -> all agents live elsewhere (p99)', ms('reconnectP99Ms')),
      row('still advertised in Redis after SIGTERM', ms('advertisedMs')),
      row('agents unreachable: held but not advertised', ms('unreachableMaxMs')),
    ],
  );
}

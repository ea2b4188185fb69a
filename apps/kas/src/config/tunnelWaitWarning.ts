import { formatDuration } from '@kas/core';
import type { KasConfig } from './kasConfigSchema.js';

/**
 * Says when the kube proxy's drain budget would cut a request that waits for its agent during a stop,
 * instead of letting it be answered: a request accepted at the end of the listen grace may wait
 * `tunnelWait` for an agent that is gone (its tunnels here closed with the stop), and its 503 comes only
 * then. Undefined when `listenGrace + tunnelWait` ends before `drainBudget`.
 */
export function tunnelWaitWarning({
  tunnelWait,
  listenGrace,
  drainBudget,
}: KasConfig['kubeProxy']): string | undefined {
  if (listenGrace + tunnelWait < drainBudget) return undefined;
  const fix =
    drainBudget > listenGrace
      ? `Make tunnelWait shorter than ${formatDuration(drainBudget - listenGrace)}`
      : 'Make listenGrace and tunnelWait together shorter than drainBudget';
  return `kubeProxy.tunnelWait (${formatDuration(tunnelWait)}) after kubeProxy.listenGrace (${formatDuration(listenGrace)}) does not end before kubeProxy.drainBudget (${formatDuration(drainBudget)}): a request that comes during a stop and waits for its agent would be cut at the drain budget instead of answered 503. ${fix}, or raise drainBudget`;
}

import pc from 'picocolors';
import { formatMs } from '../formatMs.js';
import type { DemoState, ReplicaView } from './DemoState.js';

/** The live status block: one line per replica, the load, and the shutdown in progress. */
export function renderStatus(state: DemoState): string {
  const clock = `${Math.floor(state.elapsedMs / 60_000)}:${String(Math.floor(state.elapsedMs / 1000) % 60).padStart(2, '0')}`;
  const { load } = state;
  const failed = load.failed === 0 ? pc.green('0 failed') : pc.red(`${load.failed} failed`);
  const lines = [
    pc.bold(`kas rolling restart · stop order ${state.stopOrder} · ${clock} · ${state.step}`),
    ...state.replicas.map(renderReplica),
    `  requests ${pc.bold(String(load.ok))} ok, ${failed}, ${load.inFlight} in flight · watches ${load.watchesOpen} open, ${load.watchEvents} events, ${load.watchesEndedByServer} ended by a drain`,
  ];
  const shutdown = state.shutdown;
  if (shutdown !== undefined) {
    const moved =
      shutdown.movedAfterMs === undefined
        ? `${shutdown.agentsMoved}/${shutdown.agents} agents live elsewhere`
        : `all ${shutdown.agents} agents live elsewhere after ${formatMs(shutdown.movedAfterMs)}`;
    const withdrawn =
      shutdown.withdrawnAfterMs === undefined
        ? 'still advertised in Redis'
        : `gone from Redis after ${formatMs(shutdown.withdrawnAfterMs)}`;
    lines.push(
      `  ${shutdown.replica}: SIGTERM ${formatMs(shutdown.sinceSigtermMs)} ago · ${moved} · ${withdrawn}`,
    );
  }
  return lines.join('\n');
}

function renderReplica(replica: ReplicaView): string {
  const state =
    replica.state === 'running'
      ? pc.green('running ')
      : replica.state === 'stopping'
        ? pc.yellow('stopping')
        : pc.dim(replica.state.padEnd(8));
  const ready = replica.isReady ? pc.green('ready    ') : pc.dim('not ready');
  const bar = '█'.repeat(replica.connected);
  const advertised =
    replica.advertised === undefined
      ? ''
      : replica.advertised === replica.connected
        ? ` · ${String(replica.advertised).padStart(3)} in Redis`
        : pc.yellow(` · ${String(replica.advertised).padStart(3)} in Redis`);
  return `  ${replica.id}  ${state}  ${ready}  ${String(replica.connected).padStart(3)} agents connected${advertised}  ${pc.cyan(bar)}`;
}

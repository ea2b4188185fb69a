import { ChildScript } from '../floors/ChildScript.js';
import { IdleStreamClients } from '../floors/IdleStreamClients.js';
import { AGENT_TUNNEL_PATH, IDLE_AGENT_DESCRIPTOR } from '../floors/idleAgentDescriptor.js';
import { HOLD_METHOD_PATH } from '../floors/startHoldServer.js';
import { KAS_TOKEN_PREFIX } from './kasTokens.js';
import type { IdleServerSample, ServerCommand, ServerReply } from './serverMessages.js';

/** Which server holds the idle streams: kas's agent gRPC server, or grpc-js bare. */
export type ServerKind = 'kas' | 'bare';

/** One server's samples in one run: before any agent, and at each agent count. */
export interface ServerRun {
  readonly kind: ServerKind;
  readonly baseline: IdleServerSample;
  readonly steps: readonly {
    readonly agents: number;
    readonly sample: IdleServerSample;
    /** How long the clients took to get this step's new agents' tunnels live. */
    readonly connectMs: number;
  }[];
}

/**
 * Starts a fresh server process of `kind` and a fresh clients process, connects agents up to each count
 * of `steps` (each agent its own connection with `tunnelsPerAgent` idle tunnels, the same client bytes
 * for both kinds), and has the server sample itself at each count. Both processes end afterwards.
 */
export async function measureServerRun(
  kind: ServerKind,
  steps: readonly number[],
  tunnelsPerAgent: number,
  idleMs: number,
): Promise<ServerRun> {
  const agentCount = Math.max(...steps);
  const server = new ChildScript<ServerCommand, ServerReply>(
    new URL(`./${kind}ServerProcess.ts`, import.meta.url),
    [String(agentCount)],
  );
  const clients = new IdleStreamClients();
  try {
    const { address } = await server.next('listening', 60_000);
    const sample = (streams: number) =>
      server.request({ type: 'measure', streams, idleMs }, 'measured', 60_000 + idleMs);
    const baseline = await sample(0);
    const measured: ServerRun['steps'][number][] = [];
    let connected = 0;
    for (const agents of steps) {
      const opened = await clients.open({
        address,
        path: kind === 'kas' ? AGENT_TUNNEL_PATH : HOLD_METHOD_PATH,
        connections: agents - connected,
        streamsPerConnection: tunnelsPerAgent,
        firstMessage: IDLE_AGENT_DESCRIPTOR,
        tokenPrefix: KAS_TOKEN_PREFIX,
      });
      connected = agents;
      measured.push({ agents, sample: await sample(agents * tunnelsPerAgent), connectMs: opened.elapsedMs });
    }
    return { kind, baseline, steps: measured };
  } finally {
    await clients.stop();
    await server.stop();
  }
}

import { createReverseTunnelMethod, EMPTY_BODY } from '@kas/tunnel-protocol';

const method = createReverseTunnelMethod(4 * 1024 * 1024);

/** The gRPC path of kas's reverse-tunnel method, which agents' tunnels call. */
export const AGENT_TUNNEL_PATH = method.path;

/**
 * An agent's first message on a tunnel, as agentk sends it but without `heartbeats`: the benchmarks'
 * simulated agents answer none, so kas sends them none; a bare server gets the same bytes.
 */
export const IDLE_AGENT_DESCRIPTOR: Uint8Array = method.requestSerialize({
  descriptor: {
    services: ['kubernetes-api'],
    agentVersion: 'bench',
    idleTunnels: 2,
    upgrades: true,
    heartbeats: false,
  },
  body: EMPTY_BODY,
  end: false,
  heartbeat: false,
});

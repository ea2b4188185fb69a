/**
 * Every error code `@kas/module-agent-grpc` uses, with what it means. The package README lists the same
 * table; a test keeps the two in step. Frame codes also lead the details of the gRPC status that ends a
 * tunnel, so the agent's log names them too.
 */
export const AGENT_GRPC_ERROR_CODES = {
  KAS_INVALID_CONFIG: 'the module configuration is malformed (listen address, TLS, agents, limits)',
  KAS_LISTEN_FAILED: 'the gRPC server could not bind its listen address',
  KAS_TUNNEL_UNAVAILABLE: 'the agent had no idle tunnel on this replica within the acquire wait',
  KAS_REPLICA_STOPPING: 'this replica is stopping: it hands out no tunnels and its agents are reconnecting',
  KAS_TUNNEL_BUSY: 'roundTrip was called on a tunnel that already carried a request',
  KAS_TUNNEL_BROKEN: 'the tunnel ended before the response did: the agent vanished, cancelled, or was cut',
  KAS_UPGRADE_UNSUPPORTED:
    'a connection upgrade (exec, attach, cp, port-forward) to an agent whose descriptor does not say it carries upgrades',
  KAS_AGENT_REQUEST_FAILED: 'the agent answered with an error frame: it could not reach or read its upstream',
  KAS_AGENT_ANSWER_INVALID:
    'the agent answered the request with frames kas refuses (malformed, out of order, an invalid response head): the tunnel ended, and the request is not sent again',
  KAS_UNAUTHENTICATED: 'a tunnel came with a missing, malformed or unknown bearer token',
  KAS_TUNNEL_LIMIT: 'an agent opened more tunnels than the per-agent limit allows',
  KAS_FRAME_MALFORMED: 'a message is not valid protobuf for its type',
  KAS_FRAME_UNKNOWN: 'a frame carries nothing this side knows (empty, or only fields of a newer protocol)',
  KAS_FRAME_OUT_OF_ORDER:
    'a frame broke the order rules (descriptor first, head first, nothing after the end)',
  KAS_FRAME_TOO_LARGE: 'a message is larger than the maximum message size',
  KAS_DESCRIPTOR_TIMEOUT: 'a tunnel sent no descriptor within `handshakeTimeout` of its start',
  KAS_RESPONSE_INVALID:
    "an agent's response cannot be passed on as HTTP: not a final status (200–599, or 101 for an upgrade), a header Node cannot write, a head over 64 KiB or 256 header lines, two different `Content-Length` values, or a body longer or shorter than its `Content-Length`; checked before any of it reaches the client",
} as const;

/** A stable error code of `@kas/module-agent-grpc`; callers branch on it. */
export type AgentGrpcErrorCode = keyof typeof AGENT_GRPC_ERROR_CODES;

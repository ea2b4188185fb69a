/**
 * Every error code `@kas/module-kube-proxy` throws or rejects with, with what it means. The package README
 * lists the same table; a test keeps the two in step.
 */
export const KUBE_PROXY_ERROR_CODES = {
  KAS_KUBE_PROXY_CONFIG_INVALID: 'a kube-proxy option is malformed (listen address, TLS, users, durations)',
  KAS_PRIVATE_API_CONFIG_INVALID:
    'a private-api option is malformed (replica id, listen or advertise address, secret, durations)',
  KAS_KUBE_PROXY_LISTEN_FAILED: 'the kube proxy could not bind its listen address or load its TLS files',
  KAS_PRIVATE_API_LISTEN_FAILED: 'the private API could not bind its listen address or load its TLS files',
  KAS_PRIVATE_ADDRESS_UNKNOWN:
    "this replica's private address was read before the private API listened and none was configured",
  KAS_AGENT_NOT_CONNECTED:
    'no replica held a tunnel for the agent within the tunnel wait (the request is answered 503)',
  KAS_TUNNEL_WAIT_TIMEOUT:
    'the agent is connected but no tunnel of it became free within the tunnel wait (the request is answered 504)',
  KAS_FORWARD_REFUSED:
    'the replica the directory named holds no usable tunnel for the agent any more (it moved, or that replica is stopping); another route is tried',
  KAS_FORWARD_FAILED:
    'forwarding to another replica failed: it could not be reached, accepted the connection but never answered, refused the secret, broke the frame order, or the stream broke',
  KAS_UPGRADE_LIMIT_REACHED:
    'an exec, attach, cp or port-forward connection over maxUpgradesPerAgent or maxUpgradesPerUser (the request is answered 429)',
  KAS_UPGRADE_UPSTREAM_VANISHED:
    'the Kubernetes API behind the agent ended a WebSocket session (exec, attach, cp, port-forward) without a close frame: it crashed or restarted, or the connection between agentk and it was cut; the client is told so with a Status and a close frame',
  KAS_LONG_RUNNING_LIMIT_REACHED:
    'a watch or followed log over maxLongRunningPerUser: the user has that many in flight to the agent through this replica (the request is answered 429)',
  KAS_PRIVATE_API_UNAUTHENTICATED:
    'a Forward call came without the shared secret of the private API, or with a wrong one',
} as const;

/** A stable error code of `@kas/module-kube-proxy`; callers branch on it. */
export type KubeProxyErrorCode = keyof typeof KUBE_PROXY_ERROR_CODES;

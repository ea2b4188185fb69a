/** Every error code the demo and its cluster harness throw, with what it means. The README lists the same table. */
export const DEMO_ERROR_CODES = {
  KAS_DEMO_NOT_BUILT: 'a program the local cluster runs (kas, agentk, fake-kube-api, kas-graph) is not built',
  KAS_DEMO_PROCESS_FAILED: 'a process of the local cluster exited or did not become ready in time',
  KAS_DEMO_TIMEOUT:
    'something the harness waits for (agents connected, a replica stopped) did not happen in time',
  KAS_DEMO_UNKNOWN_AGENT: 'an agent id that the local cluster does not have',
  KAS_DEMO_UNKNOWN_REPLICA: 'a replica id that the local cluster does not have',
  KAS_DEMO_USAGE: 'the demo command line is wrong',
} as const;

/** A stable error code of the demo. */
export type DemoErrorCode = keyof typeof DEMO_ERROR_CODES;

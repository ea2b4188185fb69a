import { type RunningProcess, startProcess } from '@kas/testkit';

/** How one agentk process in many-agents mode is started. */
export interface AgentkProcessOptions {
  readonly program: string;
  /** Replica agent addresses in the order this process tries them. */
  readonly kasAddresses: readonly string[];
  readonly agents: number;
  readonly tokenFilePattern: string;
  readonly kubeApiUrl: string;
  /** Idle tunnels per agent. */
  readonly tunnels: number;
}

/** `agentk --agents N --token-file-pattern ... --kas a,b,c --kube-api url`: N agents in one process. */
export function startAgentkProcess(options: AgentkProcessOptions): RunningProcess {
  return startProcess(process.execPath, [
    options.program,
    '--kas',
    options.kasAddresses.join(','),
    '--agents',
    String(options.agents),
    '--token-file-pattern',
    options.tokenFilePattern,
    '--kube-api',
    options.kubeApiUrl,
    '--tunnels',
    String(options.tunnels),
    '--drain-budget',
    '2s',
  ]);
}

import type { RunningProcess } from '@kas/testkit';

/** What an agent reported: its connection to a replica left READY, or its tunnels are live on one. */
export interface AgentEvent {
  readonly agent: string;
  readonly event: 'kas.goaway' | 'tunnels.ready';
  /** The replica's agent address (`host:port`). */
  readonly kasAddress: string;
  /** Wall-clock ms in the agentk process, sub-millisecond. */
  readonly wallMs: number;
}

/** The agentk processes of a local cluster and what their agents report in their logs. */
export class AgentkFleet {
  constructor(readonly processes: readonly RunningProcess[]) {}

  /** Every `kas.goaway` and `tunnels.ready` so far, of every agent, in order of time. */
  events(): AgentEvent[] {
    const events: AgentEvent[] = [];
    for (const agentk of this.processes) {
      for (const line of agentk.logs()) {
        if (line.event !== 'kas.goaway' && line.event !== 'tunnels.ready') continue;
        events.push({
          agent: String(line.agent),
          event: line.event,
          kasAddress: String(line.kasAddress),
          wallMs: Number(line.wallMs),
        });
      }
    }
    return events.sort((a, b) => a.wallMs - b.wallMs);
  }

  /** agent → the replica address its tunnels last became live on (its current home). */
  locations(): Map<string, string> {
    const locations = new Map<string, string>();
    for (const event of this.events()) {
      if (event.event === 'tunnels.ready') locations.set(event.agent, event.kasAddress);
    }
    return locations;
  }

  /** Stops every agentk process (SIGTERM; SIGKILL after 5 s). */
  async stop(): Promise<void> {
    await Promise.all(this.processes.map((agentk) => agentk.stop()));
  }
}

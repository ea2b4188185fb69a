import { randomUUID } from 'node:crypto';
import { eventually } from '@kas/testkit';
import { Redis } from 'ioredis';

/** A command as Redis MONITOR reported it. */
export interface MonitoredCommand {
  readonly name: string;
  readonly args: readonly string[];
  /** `host:port` of the client that sent it, or `lua` for a command a script ran. */
  readonly source: string;
}

/** Watches one Redis server's MONITOR stream. */
export interface CommandMonitor {
  readonly commands: MonitoredCommand[];
  /** Resolves once every command Redis executed before this call has been reported. */
  settle(): Promise<void>;
  close(): void;
}

/** Starts MONITOR on a server; what Redis executes from now on is collected in `commands`. */
export async function monitorCommands(host: string, port: number): Promise<CommandMonitor> {
  const commands: MonitoredCommand[] = [];
  // monitor() opens a connection of its own in MONITOR mode; the client it was called on stays open too.
  const base = new Redis(port, host, { lazyConnect: true });
  const monitor = await base.monitor();
  // ioredis puts the connection into MONITOR mode when it handles MONITOR's OK; a line monitored in the
  // same read as that OK (a sentinel pings its master every second) is handled before the switch, and
  // ioredis emits "Command queue state error" for it (a loaded CI run failed on it). That line predates
  // every command a test looks at: it is dropped; any other error fails `settle`.
  const errors: Error[] = [];
  monitor.on('error', (error: Error) => {
    if (!error.message.startsWith('Command queue state error')) errors.push(error);
  });
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const [name = '', ...rest] = args;
    commands.push({ name: name.toLowerCase(), args: rest, source });
  });
  const pinger = new Redis(port, host);
  return {
    commands,
    async settle() {
      if (errors.length > 0) throw errors[0];
      const marker = `settle-${randomUUID()}`;
      await pinger.echo(marker);
      await eventually(() => {
        if (!commands.some((command) => command.name === 'echo' && command.args[0] === marker)) {
          throw new Error('MONITOR has not reported the marker yet');
        }
      });
    },
    close() {
      monitor.disconnect();
      base.disconnect();
      pinger.disconnect();
    },
  };
}

/** `host:port` of the connection an ioredis client talks to a server over, as MONITOR names it. */
export async function clientAddress(client: Redis): Promise<string> {
  const info = String(await client.client('INFO'));
  const match = /\baddr=(\S+)/.exec(info);
  if (match?.[1] === undefined) throw new Error(`no addr in CLIENT INFO: ${info}`);
  return match[1];
}

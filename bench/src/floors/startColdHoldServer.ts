import { ChildScript } from './ChildScript.js';
import { type ClockOffset, measureClockOffset } from './IdleStreamClients.js';
import type { ShutdownServerCommand, ShutdownServerReply } from './idleStreamMessages.js';

/** A bare hold server in a fresh process (`shutdownServerProcess.ts`), to be shut down once, cold. */
export interface ColdHoldServer {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** Its clock against this process's. */
  readonly clock: ClockOffset;
  /** Has it call `tryShutdown`; resolves with the moment of the call on this process's clock. */
  tryShutdown(): Promise<number>;
  /** Kills the process. */
  stop(): Promise<void>;
}

/** Starts the process and measures its clock. */
export async function startColdHoldServer(): Promise<ColdHoldServer> {
  const child = new ChildScript<ShutdownServerCommand, ShutdownServerReply>(
    new URL('./shutdownServerProcess.ts', import.meta.url),
  );
  try {
    const { address } = await child.next('listening', 30_000);
    const clock = await measureClockOffset(
      async () => (await child.request({ type: 'clock' }, 'clock', 10_000)).wallMs,
    );
    return {
      address,
      clock,
      async tryShutdown() {
        const { wallMs } = await child.request({ type: 'tryShutdown' }, 'tryShutdownCalled', 10_000);
        return wallMs - clock.offsetMs;
      },
      stop: () => child.stop(),
    };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

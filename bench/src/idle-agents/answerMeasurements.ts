import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { IdleServerSample, ServerCommand, ServerReply } from './serverMessages.js';

/** The event-loop delay histogram's sampling interval; what it records beyond this is the lag. */
const RESOLUTION_MS = 10;

/** How long the server may take to hold every stream the clients reported live. */
const STREAMS_TIMEOUT_MS = 30_000;

const reply = (message: ServerReply) => process.send?.(message);

/**
 * Runs in a server process of the idle-agents benchmark: announces `address`, then answers each
 * `measure` command once the server holds the asked number of streams — memory after two forced garbage
 * collections (the process runs with `--expose-gc`), then the event-loop delay over the idle window.
 */
export function answerMeasurements(address: string, streamCount: () => number): void {
  process.on('message', (command: ServerCommand) => {
    measure(command, streamCount).then(
      (sample) => reply({ type: 'measured', ...sample }),
      (error: unknown) => reply({ type: 'error', message: String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  reply({ type: 'listening', address });
}

async function measure(command: ServerCommand, streamCount: () => number): Promise<IdleServerSample> {
  const deadline = performance.now() + STREAMS_TIMEOUT_MS;
  while (streamCount() !== command.streams) {
    if (performance.now() > deadline) {
      throw new Error(
        `the server holds ${streamCount()} streams, not ${command.streams}, after ${STREAMS_TIMEOUT_MS}ms`,
      );
    }
    await delay(10);
  }
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('run the server process with --expose-gc');
  await delay(500); // the last stream's garbage, as a live server would carry it
  const rssBeforeGcBytes = process.memoryUsage.rss();
  gc();
  await delay(100);
  gc();
  await delay(100);
  const memory = process.memoryUsage();
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  await delay(command.idleMs);
  histogram.disable();
  const lagMs = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS);
  return {
    streams: streamCount(),
    rssBytes: memory.rss,
    rssBeforeGcBytes,
    heapUsedBytes: memory.heapUsed,
    externalBytes: memory.external,
    lagP50Ms: lagMs(histogram.percentile(50)),
    lagP99Ms: lagMs(histogram.percentile(99)),
    lagMaxMs: lagMs(histogram.max),
  };
}

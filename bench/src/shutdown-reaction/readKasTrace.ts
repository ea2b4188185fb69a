import { readFile } from 'node:fs/promises';

/** One lifecycle event of a kas trace (`--trace-file`), as much of it as the benchmarks read. */
interface TraceLine {
  readonly type: string;
  readonly at: number;
  readonly wallClock?: number;
  readonly module?: string;
  readonly name?: string;
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The moments of a replica's stop, read from its trace, on the wall clock (ms). */
export interface KasStopTimes {
  /** kas handled the signal (`signal.received`). */
  readonly signalAtMs: number | undefined;
  /** `agent-grpc-server` called `tryShutdown` (its `goaway.sent` mark). */
  readonly goawaySentAtMs: number | undefined;
  /** `tunnel-tracker` began its stop. */
  readonly trackerStoppingAtMs: number | undefined;
  /** `tunnel-tracker`'s withdraw came back from Redis (its `tunnels.withdrawn` mark). */
  readonly withdrawnAtMs: number | undefined;
  /** The withdraw's own duration as the tracker timed it (its round trip to Redis). */
  readonly withdrawDurationMs: number | undefined;
}

/**
 * Reads the stop of a replica from its lifecycle trace. Trace times are the process's monotonic clock;
 * `app.starting` carries `Date.now()` beside it, which places them on the wall clock to within 1 ms
 * (`Date.now()` has whole milliseconds: half a millisecond is added, so the error is at most ±0.5 ms).
 */
export async function readKasTrace(traceFile: string): Promise<KasStopTimes> {
  const lines = (await readFile(traceFile, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TraceLine);
  const starting = lines.find((line) => line.type === 'app.starting');
  if (starting?.wallClock === undefined) throw new Error(`${traceFile} has no app.starting event`);
  const toWall = (line: TraceLine | undefined) =>
    line === undefined ? undefined : (starting.wallClock as number) + 0.5 + (line.at - starting.at);
  const find = (type: string, module?: string, name?: string) =>
    lines.find(
      (line) =>
        line.type === type &&
        (module === undefined || line.module === module) &&
        (name === undefined || line.name === name),
    );
  const withdrawn = find('module.mark', 'tunnel-tracker', 'tunnels.withdrawn');
  const withdrawDurationMs = withdrawn?.data?.durationMs;
  return {
    signalAtMs: toWall(find('signal.received')),
    goawaySentAtMs: toWall(find('module.mark', 'agent-grpc-server', 'goaway.sent')),
    trackerStoppingAtMs: toWall(find('module.stopping', 'tunnel-tracker')),
    withdrawnAtMs: toWall(withdrawn),
    withdrawDurationMs: typeof withdrawDurationMs === 'number' ? withdrawDurationMs : undefined,
  };
}

import { constants, type PerformanceEntry, PerformanceObserver, performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { Logger } from 'pino';

/** When the watch speaks up: this many full GCs within `windowMs`, at most once per `repeatMs`. */
export interface GcPressureOptions {
  readonly windowMs?: number;
  readonly threshold?: number;
  readonly repeatMs?: number;
}

const MB = 1024 * 1024;
// A heap this close to V8's maximum is collected again and again because it is full.
const NEAR_LIMIT = 0.7;
const YOUNG_GENERATION_MB = 48;

/**
 * Warns when V8 runs full (mark-compact) garbage collections back to back, once a second or more.
 *
 * A relay (port-forward, cp, large answers) takes a 64 KiB buffer for every read and drops it a moment
 * later. V8 counts such buffers against the room left below its old-generation limit, and frees them only
 * at a young-generation GC; a process with a small heap gets little room, so it runs a full GC every few
 * dozen MiB relayed, for the rest of its life, at two to three times the CPU per MiB (bench/README.md,
 * port-forward). The images start node with `--initial-old-space-size=96`, enough for heaps up to about
 * 45 MB; a kas started without it, or whose heap outgrew it, is told so here with the size to give.
 * A healthy kas runs a full GC every few seconds at most, under load.
 */
export class GcPressureWatch {
  readonly #windowMs: number;
  readonly #threshold: number;
  readonly #repeatMs: number;
  readonly #fullGcs: number[] = [];
  #observer: PerformanceObserver | undefined;
  #warnedAt = Number.NEGATIVE_INFINITY;
  #total = 0;

  constructor(
    private readonly log: Logger,
    options: GcPressureOptions = {},
  ) {
    this.#windowMs = options.windowMs ?? 10_000;
    this.#threshold = options.threshold ?? 10;
    this.#repeatMs = options.repeatMs ?? 10 * 60_000;
  }

  /** Full GCs seen since `start()`. */
  get fullGcs(): number {
    return this.#total;
  }

  start(): void {
    if (this.#observer !== undefined) return;
    this.#observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.#record(entry);
    });
    this.#observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.#observer?.disconnect();
    this.#observer = undefined;
  }

  #record(entry: PerformanceEntry): void {
    const kind = (entry as { readonly detail?: { readonly kind?: number } }).detail?.kind;
    if (kind !== constants.NODE_PERFORMANCE_GC_MAJOR) return;
    this.#total += 1;
    const now = entry.startTime;
    this.#fullGcs.push(now);
    while ((this.#fullGcs[0] as number) <= now - this.#windowMs) this.#fullGcs.shift();
    if (this.#fullGcs.length < this.#threshold) return;
    const nowMs = performance.now();
    if (nowMs - this.#warnedAt < this.#repeatMs) return;
    this.#warnedAt = nowMs;
    this.#warn(this.#fullGcs.length);
  }

  #warn(fullGcs: number): void {
    const heap = getHeapStatistics();
    const heapUsedMb = Math.round(heap.used_heap_size / MB);
    const heapLimitMb = Math.round(heap.heap_size_limit / MB);
    // heap_size_limit counts the young generation's most (3 x 16 MB semi-spaces) above the old one's.
    const oldSpaceLimitMb = heapLimitMb - YOUNG_GENERATION_MB;
    const flag = process.execArgv.find((arg) => arg.startsWith('--initial-old-space-size'));
    const fields = {
      event: 'runtime.gcPressure',
      fullGcs,
      windowMs: this.#windowMs,
      heapUsedMb,
      heapLimitMb,
      arrayBuffersMb: Math.round(process.memoryUsage().arrayBuffers / MB),
      nodeOption: flag ?? null,
    };
    const what = `V8 ran ${fullGcs} full garbage collections in the last ${Math.round(this.#windowMs / 1000)} s with ${heapUsedMb} MB on the heap`;
    if (heapUsedMb >= oldSpaceLimitMb * NEAR_LIMIT) {
      // Full GCs because the heap itself is nearly full: more room below the floor would not help.
      this.log.warn(
        {
          ...fields,
          fix: `find what holds the memory (a heap snapshot: node --heapsnapshot-signal=SIGUSR2), or give node a larger --max-old-space-size (now ${oldSpaceLimitMb} MB) and the container the memory for it`,
        },
        `${what}, near V8's maximum of ${oldSpaceLimitMb} MB: kas is running out of memory`,
      );
      return;
    }
    // Room for a relay's buffers between young GCs (32 MB) above the young generation (16 MB), with margin.
    const suggestedMb = Math.max(96, Math.ceil((heapUsedMb + 64) / 32) * 32);
    this.log.warn(
      {
        ...fields,
        suggestedInitialOldSpaceMb: suggestedMb,
        fix: `start node with --initial-old-space-size=${suggestedMb} (${flag === undefined ? 'it runs without it' : `it runs with ${flag}`}; the images' Dockerfiles and deploy/README.md say why); NODE_OPTIONS does not take this option`,
      },
      `${what}: kas spends its CPU in the garbage collector, as when it relays bytes (port-forward, cp, large answers) with too little room below V8's limit`,
    );
  }
}

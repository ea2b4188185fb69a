import { Agent, get } from 'node:http';
import * as hdr from 'hdr-histogram-js';

const REQUEST_TIMEOUT_MS = 10_000;

/** What one fixed-rate run measured, in microseconds. */
export interface FixedRateFigures {
  readonly requests: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly failures: number;
}

/** Options of `runFixedRate`. */
export interface FixedRateOptions {
  readonly ratePerSecond: number;
  readonly durationMs: number;
  /** Sent at the same rate before the measured part, not recorded (opens the connections). */
  readonly leadInMs: number;
}

/**
 * Open-loop load at a fixed rate: a 1 ms timer sends whatever requests are due on the schedule (so the
 * average rate holds whatever the timer's jitter), each on a keep-alive connection of a pool, and records
 * the time from sending to reading the whole answer with `process.hrtime` into an HDR histogram of
 * microseconds (3 significant digits), finer than autocannon's whole milliseconds.
 */
export async function runFixedRate(
  url: string,
  authorization: string,
  options: FixedRateOptions,
): Promise<FixedRateFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const totalMs = options.leadInMs + options.durationMs;
  const total = Math.round((totalMs * options.ratePerSecond) / 1000);
  const leadIn = Math.round((options.leadInMs * options.ratePerSecond) / 1000);
  let sent = 0;
  let answered = 0;
  let failures = 0;
  try {
    await new Promise<void>((resolve) => {
      const startedAt = performance.now();
      const send = () => {
        const index = sent++;
        const began = process.hrtime.bigint();
        let isFinished = false;
        const finish = (isOk: boolean) => {
          if (isFinished) return;
          isFinished = true;
          if (index >= leadIn) {
            if (isOk) histogram.recordValue(Number((process.hrtime.bigint() - began) / 1000n));
            else failures += 1;
          }
          answered += 1;
          if (answered === total) resolve();
        };
        const request = get(
          url,
          { agent, headers: { authorization, accept: 'application/json' } },
          (response) => {
            response.on('data', () => {});
            response.once('end', () => finish(response.statusCode === 200));
            response.once('error', () => finish(false));
          },
        );
        request.once('error', () => finish(false));
        request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error('timed out')));
      };
      const timer = setInterval(() => {
        const due = Math.min(
          total,
          Math.floor(((performance.now() - startedAt) * options.ratePerSecond) / 1000) + 1,
        );
        while (sent < due) send();
        if (sent === total) clearInterval(timer);
      }, 1);
    });
    return {
      requests: total - leadIn,
      p50Us: histogram.getValueAtPercentile(50),
      p90Us: histogram.getValueAtPercentile(90),
      p99Us: histogram.getValueAtPercentile(99),
      failures,
    };
  } finally {
    histogram.destroy();
    agent.destroy();
  }
}

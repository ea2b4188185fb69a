import autocannon from 'autocannon';

/** What one closed-loop load run measured. */
export interface LoadFigures {
  /** Requests answered in the run. */
  readonly requests: number;
  readonly requestsPerSecond: number;
  /** autocannon's latency percentiles: whole milliseconds (its histogram's lowest unit is 1 ms). */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Connection errors, timeouts and non-2xx answers: any of them makes the run suspect. */
  readonly failures: number;
}

/**
 * Closed-loop load with autocannon: `connections` keep-alive connections, each sending the next GET as
 * soon as the previous answer has been read whole, for `durationS` seconds.
 */
export async function runLoad(
  url: string,
  authorization: string,
  connections: number,
  durationS: number,
): Promise<LoadFigures> {
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    headers: { authorization, accept: 'application/json' },
  });
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

import type { RunningProcess } from '@kas/testkit';

/**
 * Round trips through an interactive `kubectl exec -i <pod> -- cat`: writes a line, waits for its echo,
 * `count` times; the milliseconds of each, in order.
 */
export async function measureExecRoundTrips(session: RunningProcess, count: number): Promise<number[]> {
  const stdin = session.child.stdin;
  if (stdin === null) throw new Error('the exec session was started without a stdin pipe');
  const durations: number[] = [];
  for (let index = 0; index < count; index++) {
    const text = `round-trip-${index}`;
    const startedAt = performance.now();
    stdin.write(`${text}\n`);
    await session.waitForLine((line) => line.text === text, 15_000);
    durations.push(performance.now() - startedAt);
  }
  return durations;
}

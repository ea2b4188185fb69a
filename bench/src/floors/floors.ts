import { startRedis } from '@kas/testkit';
import type { Benchmark, BenchmarkRow } from '../Benchmark.js';
import { measureBareGoawayFloor } from './measureBareGoawayFloor.js';
import { measureBareReconnectFloor } from './measureBareReconnectFloor.js';
import { measureBareWithdrawFloor } from './measureBareWithdrawFloor.js';

const GOAWAY_CONNECTIONS = [100, 500] as const;
const WITHDRAW_ENTRIES = [500, 10_000] as const;
const RECONNECT_AGENTS = 500;
const CLIENT_PROCESSES = [1, 5] as const;

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);

/**
 * The floors of benchmark 1, on their own: a bare grpc-js server's GOAWAY reaching idle clients, agents
 * reconnecting to a second bare server on that GOAWAY, and a bare one-round-trip withdraw of N directory
 * entries from Redis.
 */
export const floors: Benchmark = {
  name: 'floors',
  description:
    "bare grpc-js GOAWAY reaction and reconnection, and bare one-script Redis withdraw (benchmark 1's floors)",
  async run() {
    const rows: BenchmarkRow[] = [];
    for (const connections of GOAWAY_CONNECTIONS) {
      for (const streamsPerConnection of [1, 2]) {
        const floor = await measureBareGoawayFloor(connections, { streamsPerConnection });
        const lasts = floor.runs.map((run) => run.lastMs);
        rows.push({
          floor: 'grpc-js tryShutdown → client channel left READY',
          size: `${connections} connections × ${streamsPerConnection} stream(s)`,
          runs: floor.runs.length,
          'first ms': ms(floor.firstMs),
          'median ms': ms(floor.medianMs),
          'last ms': ms(floor.lastMs),
          'min–max ms (last)': `${ms(Math.min(...lasts))}–${ms(Math.max(...lasts))}`,
        });
      }
    }
    for (const clientProcesses of CLIENT_PROCESSES) {
      const floor = await measureBareGoawayFloor(RECONNECT_AGENTS, {
        streamsPerConnection: 2,
        clientProcesses,
      });
      if (clientProcesses > 1) {
        const lasts = floor.runs.map((run) => run.lastMs);
        rows.push({
          floor: 'grpc-js tryShutdown → client channel left READY',
          size: `${RECONNECT_AGENTS} connections × 2 streams, clients in ${clientProcesses} processes`,
          runs: floor.runs.length,
          'first ms': ms(floor.firstMs),
          'median ms': ms(floor.medianMs),
          'last ms': ms(floor.lastMs),
          'min–max ms (last)': `${ms(Math.min(...lasts))}–${ms(Math.max(...lasts))}`,
        });
      }
      const reconnect = await measureBareReconnectFloor(RECONNECT_AGENTS, { clientProcesses });
      const lasts = reconnect.runs.map((run) => run.lastMs);
      rows.push({
        floor: 'grpc-js tryShutdown → agent live on a second server',
        size: `${RECONNECT_AGENTS} agents × 2 streams, in ${clientProcesses === 1 ? '1 process' : `${clientProcesses} processes`}`,
        runs: reconnect.runs.length,
        'first ms': ms(reconnect.firstMs),
        'median ms': ms(reconnect.medianMs),
        'last ms': ms(reconnect.lastMs),
        'min–max ms (last)': `${ms(Math.min(...lasts))}–${ms(Math.max(...lasts))}`,
      });
    }
    const redis = await startRedis();
    try {
      for (const entries of WITHDRAW_ENTRIES) {
        const floor = await measureBareWithdrawFloor(redis.url, entries);
        rows.push({
          floor: 'Redis one-script withdraw (EVAL round trip)',
          size: `${entries} entries`,
          runs: floor.runs,
          'first ms': '',
          'median ms': ms(floor.medianMs),
          'last ms': '',
          'min–max ms (last)': `${ms(floor.minMs)}–${ms(floor.maxMs)}`,
        });
      }
    } finally {
      await redis.stop();
    }
    return {
      columns: ['floor', 'size', 'runs', 'first ms', 'median ms', 'last ms', 'min–max ms (last)'],
      rows,
      notes: [
        "GOAWAY: the server runs in the benchmark process, the clients in a child process (each connection its own, agentk channel settings); times run from the tryShutdown call to each client channel leaving READY, on wall clocks aligned by an IPC ping (error below 0.1 ms). Medians over runs of each run's first, median and last client; a fresh server and fresh connections per run, after one warm-up run.",
        'Reconnect: as GOAWAY (500 agents, each its own connection with 2 idle streams), and on GOAWAY each agent cancels its streams and, one agent per event-loop turn of its process (as agentk paces it), connects with 2 streams to a second bare server in a process of its own; times run from the tryShutdown call until each agent has response metadata on both streams there. Clients in one process, or spread over five.',
        "Withdraw: entries in the tunnel tracker's Redis layout (a record hash per agent, the replica's index per bucket over 256 buckets), removed by one Lua script sent as EVAL, timed from this process; redis-server started for the run on loopback.",
      ],
    };
  },
};

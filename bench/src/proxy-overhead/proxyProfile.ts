import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Benchmark, BenchmarkRow } from '../Benchmark.js';
import { runLoad } from './runLoad.js';
import { startProxyChains } from './startProxyChains.js';
import { type ProfileWindow, summarizeCpuProfile } from './summarizeCpuProfile.js';

const CONNECTIONS = 16;
const LOAD_S = 6;
const TOP_FUNCTIONS = 12;
const TOP_AREAS = 8;

/** Which processes of which variant are profiled while that variant is under load. */
const PROFILED = [
  { variant: 'b', processes: ['kas-a', 'agentk'] },
  { variant: 'd', processes: ['hop-1', 'hop-2'] },
  { variant: 'c', processes: ['kas-b', 'kas-a', 'agentk'] },
  { variant: 'e', processes: ['hop3-1', 'hop3-2', 'hop3-3'] },
] as const;

/**
 * The CPU profile behind benchmark 2: kas and agentk (`node --cpu-prof`) while small GETs go through
 * (b) at 16 connections for 6 s, the two node:http hops of (d) under the same load, then the forwarded
 * path (c) (kas B, kas A, agentk) and the three hops of (e), each summarized by self time within its load
 * window (start-up and the other variants' windows left out).
 */
export const proxyProfile: Benchmark = {
  name: 'proxy-profile',
  description:
    'CPU profiles (self time) of kas, agentk and the node:http hops under small-GET load: local tunnel (b) vs two hops (d), forwarded (c) vs three hops (e)',
  async run() {
    const directory = await mkdtemp(join(tmpdir(), 'kas-bench-profile-'));
    try {
      const chains = await startProxyChains({ withHttps: false, profileDirectory: directory });
      const windows = new Map<string, { window: ProfileWindow; requestsPerSecond: number }>();
      try {
        for (const { variant } of PROFILED) {
          const url = `${chains.urls[variant] ?? ''}${chains.upstream.paths.small}`;
          await runLoad(url, chains.authorization, CONNECTIONS, 2);
          const fromUs = microseconds();
          const figures = await runLoad(url, chains.authorization, CONNECTIONS, LOAD_S);
          windows.set(variant, {
            window: { fromUs, toUs: microseconds() },
            requestsPerSecond: figures.requestsPerSecond,
          });
        }
      } finally {
        await chains.stop();
      }
      const rows: BenchmarkRow[] = [];
      const notes: string[] = [];
      for (const { variant, processes } of PROFILED) {
        const measured = windows.get(variant);
        if (measured === undefined) continue;
        for (const name of processes) {
          const files = await readdir(join(directory, name));
          const summary = summarizeCpuProfile(
            join(directory, name, files[0] as string),
            measured.window,
            TOP_FUNCTIONS,
          );
          notes.push(
            `${name} (${variant}, ${Math.round(measured.requestsPerSecond)} requests/s): busy ${(100 - summary.idlePercent).toFixed(0)}% of the window; areas by self time: ${summary.areas
              .slice(0, TOP_AREAS)
              .map((area) => `${area.name} ${area.percent.toFixed(1)}%`)
              .join(', ')}.`,
          );
          summary.functions.forEach((entry, index) => {
            rows.push({
              process: name,
              variant,
              rank: index + 1,
              function: entry.name,
              'self % of busy': entry.percent.toFixed(1),
            });
          });
        }
      }
      notes.push(
        'Self time: the sampler found the function on top of the stack (native functions such as writev and writeLatin1String include their system call; "(program)" is native work with no JavaScript on the stack: libuv reads, HTTP/2 writes flushed at the end of a loop turn). Shares are of the busy time in the window.',
      );
      return { columns: ['process', 'variant', 'rank', 'function', 'self % of busy'], rows, notes };
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  },
};

function microseconds(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

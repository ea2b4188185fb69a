import { cpus, loadavg, platform, release, totalmem } from 'node:os';

/** The machine a result was measured on, written next to every result. */
export interface Machine {
  readonly cpus: number;
  readonly model: string;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
  /** The 1-minute load average when the run began: other work on a shared machine skews timings. */
  readonly loadAverage: number;
}

/** Describes this machine. */
export function describeMachine(): Machine {
  const list = cpus();
  return {
    cpus: list.length,
    model: list[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    os: `${platform()} ${release()}`,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

import { readFileSync } from 'node:fs';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that a self-time summary needs. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  }[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** A span of `process.hrtime` in microseconds: V8's profiles count time on the same monotonic clock. */
export interface ProfileWindow {
  readonly fromUs: number;
  readonly toUs: number;
}

/** Self time of one function, or of one code area, as a share of the profile. */
export interface SelfTime {
  readonly name: string;
  readonly percent: number;
}

/** A profile's busiest functions and areas by self time. */
export interface ProfileSummary {
  /** Sampled time in ms, idle included. */
  readonly totalMs: number;
  /** Share of the samples in which the process was idle (waiting in the event loop). */
  readonly idlePercent: number;
  readonly functions: readonly SelfTime[];
  readonly areas: readonly SelfTime[];
}

/**
 * Reads a `.cpuprofile` and ranks functions (name and place) and areas (Node internals, a package of
 * node_modules, a kas workspace package) by self time: the time the sampler found each one on top of the
 * stack, within `window` (so start-up and idle phases stay out). Shares are of the busy time (idle left
 * out).
 */
export function summarizeCpuProfile(path: string, window: ProfileWindow, top: number): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const frameOf = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at < window.fromUs || at > window.toUs) return;
    totalUs += delta;
    const frame = frameOf.get(id);
    if (frame === undefined) return;
    if (frame.functionName === '(idle)') {
      idleUs += delta;
      return;
    }
    const place = frame.url === '' ? '' : ` ${shortPlace(frame.url)}:${frame.lineNumber + 1}`;
    const name = `${frame.functionName || '(anonymous)'}${place}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + delta);
    const area = areaOf(frame.url, frame.functionName);
    byArea.set(area, (byArea.get(area) ?? 0) + delta);
  });
  const busyUs = totalUs - idleUs;
  const rank = (map: Map<string, number>) =>
    [...map]
      .sort((left, right) => right[1] - left[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, percent: (100 * us) / busyUs }));
  return {
    totalMs: totalUs / 1000,
    idlePercent: (100 * idleUs) / totalUs,
    functions: rank(byFunction),
    areas: rank(byArea),
  };
}

function shortPlace(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) return path.slice(modules + '/node_modules/'.length);
  const workspace = path.match(/\/(packages|apps)\/(.+)$/);
  return workspace === null ? path : `${workspace[1]}/${workspace[2]}`;
}

function areaOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[1] ?? url.slice(5)}`;
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = path.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  const workspace = path.match(/\/(packages|apps)\/([^/]+)\//);
  return workspace === null ? path : `${workspace[1]}/${workspace[2]}`;
}

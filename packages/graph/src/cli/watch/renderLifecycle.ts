import type { CutReason } from '@kas/core';
import {
  formatCut,
  formatMs,
  formatProgress,
  type LifecycleSnapshot,
  type ModuleSnapshot,
  type StageSnapshot,
} from '@kas/core/snapshot';
import type pc from 'picocolors';

/** picocolors' colors, on or off (`createColors(false)` for plain text). */
export type Colors = ReturnType<typeof pc.createColors>;

// The same words as the lifecycle page: both take them from `@kas/core/snapshot`.
export { formatMs, formatProgress };

const BAR_WIDTH = 24;

/** What cut a module or forced the stop, in the words of kas's own `app stopped forced ...` line. */
const CUT_BY: Readonly<Record<CutReason, string>> = {
  signal: 'by a second stop signal',
  deadline: 'by the shutdown deadline',
  budget: 'by its drain budget',
};

/** What forced a stop or cut a module: `by a second stop signal`, `by the shutdown deadline`. */
export function describeForcedBy(reason: CutReason): string {
  return CUT_BY[reason];
}

/** How the view is drawn: where the stream comes from, and in which colors. */
export interface LifecycleView {
  /** The replica, as the headline names it (`host:port`). */
  readonly source: string;
  readonly colors: Colors;
  /** What forced the stop, from `app.stopped`, when it was forced. */
  readonly forcedBy?: CutReason;
}

const STAGE_MARK: Readonly<Record<StageSnapshot['state'], string>> = {
  waiting: '·',
  running: '▶',
  completed: '✓',
  failed: '✗',
  skipped: '-',
};

/**
 * What cut a completed stage short: a member cut by a second signal or by the deadline (a cut at its drain
 * budget is the stage keeping to its plan).
 */
function forcedCutOf(
  stage: StageSnapshot,
  modules: ReadonlyMap<string, ModuleSnapshot>,
): CutReason | undefined {
  if (stage.state !== 'completed') return undefined;
  const reasons = stage.members.map((name) => modules.get(name)?.cut);
  return reasons.find((reason) => reason === 'signal') ?? reasons.find((reason) => reason === 'deadline');
}

function stageColor(colors: Colors, state: StageSnapshot['state'], forcedCut: CutReason | undefined) {
  if (state === 'running') return colors.yellow;
  if (forcedCut !== undefined) return colors.red;
  if (state === 'completed') return colors.green;
  if (state === 'failed') return colors.red;
  return colors.dim;
}

function budgetText(
  stage: StageSnapshot,
  now: number,
  colors: Colors,
  forcedCut: CutReason | undefined,
): string {
  if (stage.state === 'running' && stage.deadlineAt !== undefined) {
    const remainingMs = Math.max(0, stage.deadlineAt - now);
    const filled = stage.budgetMs > 0 ? Math.round((BAR_WIDTH * remainingMs) / stage.budgetMs) : 0;
    const bar = colors.yellow('█'.repeat(filled)) + colors.dim('░'.repeat(BAR_WIDTH - filled));
    return `${bar} ${formatMs(remainingMs)} left of ${formatMs(stage.budgetMs)}`;
  }
  if (forcedCut !== undefined) {
    return `${colors.red(`cut short ${CUT_BY[forcedCut]}`)} in ${formatMs(stage.durationMs ?? 0)} (budget ${formatMs(stage.budgetMs)})`;
  }
  if (stage.state === 'completed') {
    return `completed in ${formatMs(stage.durationMs ?? 0)} (budget ${formatMs(stage.budgetMs)})`;
  }
  if (stage.state === 'skipped') return 'skipped: no member was running';
  return `${stage.state}, budget ${formatMs(stage.budgetMs)}`;
}

function moduleLine(module: ModuleSnapshot, now: number, colors: Colors): string {
  const state =
    module.state === 'stopping' && module.deadlineAt !== undefined
      ? `stopping, ${formatMs(module.deadlineAt - now)} left`
      : module.state === 'stopped' && module.durationMs !== undefined
        ? `stopped in ${formatMs(module.durationMs)}`
        : module.state;
  const cut = module.cut === undefined ? '' : colors.red(` ${formatCut(module)}`);
  const progress = module.progress === undefined ? '' : colors.dim(`  ${formatProgress(module.progress)}`);
  return `    ${module.name} ${colors.dim('—')} ${state}${cut}${progress}`;
}

function headline(snapshot: LifecycleSnapshot, now: number, view: LifecycleView): string {
  const { colors } = view;
  const parts = [colors.bold(view.source), colors.bold(snapshot.state)];
  const stop = snapshot.stop;
  if (stop?.status !== undefined) {
    const status =
      stop.status === 'clean'
        ? colors.green('clean')
        : colors.red(
            stop.status === 'forced' && view.forcedBy !== undefined
              ? `forced ${CUT_BY[view.forcedBy]}`
              : stop.status,
          );
    parts.push(`stop (${stop.reason}) ${status} in ${formatMs(stop.durationMs ?? 0)}`);
    if (stop.failed !== undefined && stop.failed.length > 0) {
      parts.push(colors.red(`failed: ${stop.failed.join(', ')}`));
    }
    if (stop.cut !== undefined && stop.cut.length > 0) parts.push(colors.red(`cut: ${stop.cut.join(', ')}`));
  } else if (stop !== undefined) {
    parts.push(`stopping (${stop.reason}) for ${formatMs(now - stop.beganAt)}`);
    parts.push(
      stop.isDeadlinePassed
        ? colors.red('shutdown deadline passed')
        : `shutdown deadline in ${formatMs(stop.deadlineAt - now)}`,
    );
  } else if (snapshot.startedAt !== undefined) {
    parts.push(`started ${formatMs(now - snapshot.startedAt)} ago`);
  }
  return parts.join(' · ');
}

/**
 * The stop plan of `snapshot` at `now` (the app's monotonic milliseconds) as text: a headline (once the
 * replica has stopped: clean, failed, or forced and by what), then each stop stage with the stages it
 * begins after, its state, its drain budget as a bar counting down (or what cut it short), and its members
 * with their states and latest progress records.
 */
export function renderLifecycle(snapshot: LifecycleSnapshot, now: number, view: LifecycleView): string {
  const { colors } = view;
  const modules = new Map(snapshot.modules.map((module) => [module.name, module]));
  const lines = [headline(snapshot, now, view), 'stop plan:'];
  for (const stage of snapshot.stages.filter((candidate) => candidate.phase === 'stop')) {
    const forcedCut = forcedCutOf(stage, modules);
    const color = stageColor(colors, stage.state, forcedCut);
    lines.push(
      `  ${color(`${STAGE_MARK[stage.state]} ${stage.id}`)}  ${budgetText(stage, now, colors, forcedCut)}${
        stage.follows.length === 0 ? '' : colors.dim(`  (after ${stage.follows.join(', ')})`)
      }`,
    );
    for (const name of stage.members) {
      lines.push(moduleLine(modules.get(name) ?? { name, state: 'idle' }, now, colors));
    }
  }
  return lines.join('\n');
}

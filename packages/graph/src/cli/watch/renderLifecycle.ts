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

/** A completed stop stage a member was cut in (its drain budget ran out, or the stop was forced). */
const CUT_MARK = '✂';

/** What happened to a completed stage's members beyond stopping by themselves: who was cut, who failed. */
interface StageOutcome {
  /** The members cut, by what cut them (in member order). */
  readonly cut: ReadonlyMap<CutReason, readonly string[]>;
  /** A member cut by a second signal or by the deadline: the stage was cut short, not kept to its plan. */
  readonly forcedCut?: CutReason;
  /** Members that threw while stopping. */
  readonly failed: readonly string[];
}

function outcomeOf(stage: StageSnapshot, modules: ReadonlyMap<string, ModuleSnapshot>): StageOutcome {
  const cut = new Map<CutReason, string[]>();
  const failed: string[] = [];
  if (stage.state !== 'completed') return { cut, failed };
  for (const name of stage.members) {
    const module = modules.get(name);
    if (module?.cut !== undefined) cut.set(module.cut, [...(cut.get(module.cut) ?? []), name]);
    if (module?.state === 'failed') failed.push(name);
  }
  const forcedCut = cut.has('signal') ? 'signal' : cut.has('deadline') ? 'deadline' : undefined;
  return { cut, failed, ...(forcedCut === undefined ? {} : { forcedCut }) };
}

/** ✗ when a member failed, ✂ when one was cut: a completed stage is ✓ only if all stopped by themselves. */
function stageMark(stage: StageSnapshot, outcome: StageOutcome): string {
  if (outcome.failed.length > 0) return STAGE_MARK.failed;
  if (outcome.cut.size > 0) return CUT_MARK;
  return STAGE_MARK[stage.state];
}

function stageColor(colors: Colors, state: StageSnapshot['state'], outcome: StageOutcome) {
  if (state === 'running') return colors.yellow;
  if (outcome.forcedCut !== undefined || outcome.failed.length > 0) return colors.red;
  if (outcome.cut.size > 0) return colors.yellow;
  if (state === 'completed') return colors.green;
  if (state === 'failed') return colors.red;
  return colors.dim;
}

function budgetText(stage: StageSnapshot, now: number, colors: Colors, outcome: StageOutcome): string {
  if (stage.state === 'running' && stage.deadlineAt !== undefined) {
    // `now` is the replica's clock as estimated from its snapshot, a few ms behind at times: a stage just
    // begun may seem to have more left than its budget (a 50 ms budget then overfilled the bar and threw)
    const remainingMs = Math.min(stage.budgetMs, Math.max(0, stage.deadlineAt - now));
    const filled = stage.budgetMs > 0 ? Math.round((BAR_WIDTH * remainingMs) / stage.budgetMs) : 0;
    const bar = colors.yellow('█'.repeat(filled)) + colors.dim('░'.repeat(BAR_WIDTH - filled));
    return `${bar} ${formatMs(remainingMs)} left of ${formatMs(stage.budgetMs)}`;
  }
  const took = `in ${formatMs(stage.durationMs ?? 0)} (budget ${formatMs(stage.budgetMs)})`;
  const { forcedCut } = outcome;
  if (forcedCut !== undefined) {
    // the members the force cut after the colon; members cut otherwise (at their budget) after them
    const others = [...outcome.cut].filter(([reason]) => reason !== forcedCut);
    return `${colors.red(`cut short ${CUT_BY[forcedCut]}`)} ${took}: ${(outcome.cut.get(forcedCut) ?? []).join(', ')}${cutAndFailed(others, outcome.failed, colors)}`;
  }
  if (stage.state === 'completed')
    return `completed ${took}${cutAndFailed([...outcome.cut], outcome.failed, colors)}`;
  if (stage.state === 'skipped') return 'skipped: no member was running';
  return `${stage.state}, budget ${formatMs(stage.budgetMs)}`;
}

/** `; cut by its drain budget: a, b; failed: c`, or nothing when no member was cut and none failed. */
function cutAndFailed(
  cut: readonly (readonly [CutReason, readonly string[]])[],
  failed: readonly string[],
  colors: Colors,
): string {
  // a cut at the drain budget keeps to the plan (yellow); a forced cut or a failure does not (red)
  const parts = [
    ...cut.map(([reason, names]) =>
      (reason === 'budget' ? colors.yellow : colors.red)(`cut ${CUT_BY[reason]}: ${names.join(', ')}`),
    ),
    ...(failed.length > 0 ? [colors.red(`failed: ${failed.join(', ')}`)] : []),
  ];
  return parts.map((part) => `; ${part}`).join('');
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
 * begins after, its state, its drain budget as a bar counting down (or, once completed, which members
 * were cut and by what, and which failed: such a stage is marked ✂ or ✗, never ✓), and its members with
 * their states and latest progress records.
 */
export function renderLifecycle(snapshot: LifecycleSnapshot, now: number, view: LifecycleView): string {
  const { colors } = view;
  const modules = new Map(snapshot.modules.map((module) => [module.name, module]));
  const lines = [headline(snapshot, now, view), 'stop plan:'];
  for (const stage of snapshot.stages.filter((candidate) => candidate.phase === 'stop')) {
    const outcome = outcomeOf(stage, modules);
    const color = stageColor(colors, stage.state, outcome);
    lines.push(
      `  ${color(`${stageMark(stage, outcome)} ${stage.id}`)}  ${budgetText(stage, now, colors, outcome)}${
        stage.follows.length === 0 ? '' : colors.dim(`  (after ${stage.follows.join(', ')})`)
      }`,
    );
    for (const name of stage.members) {
      lines.push(moduleLine(modules.get(name) ?? { name, state: 'idle' }, now, colors));
    }
  }
  return lines.join('\n');
}

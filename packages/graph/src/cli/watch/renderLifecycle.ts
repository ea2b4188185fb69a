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

const STAGE_MARK: Readonly<Record<StageSnapshot['state'], string>> = {
  waiting: '·',
  running: '▶',
  completed: '✓',
  failed: '✗',
  skipped: '-',
};

function stageColor(colors: Colors, state: StageSnapshot['state']): (text: string) => string {
  if (state === 'running') return colors.yellow;
  if (state === 'completed') return colors.green;
  if (state === 'failed') return colors.red;
  return colors.dim;
}

function budgetText(stage: StageSnapshot, now: number, colors: Colors): string {
  if (stage.state === 'running' && stage.deadlineAt !== undefined) {
    const remainingMs = Math.max(0, stage.deadlineAt - now);
    const filled = stage.budgetMs > 0 ? Math.round((BAR_WIDTH * remainingMs) / stage.budgetMs) : 0;
    const bar = colors.yellow('█'.repeat(filled)) + colors.dim('░'.repeat(BAR_WIDTH - filled));
    return `${bar} ${formatMs(remainingMs)} left of ${formatMs(stage.budgetMs)}`;
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

function headline(snapshot: LifecycleSnapshot, now: number, source: string, colors: Colors): string {
  const parts = [colors.bold(source), colors.bold(snapshot.state)];
  const stop = snapshot.stop;
  if (stop?.status !== undefined) {
    parts.push(`stop (${stop.reason}) ${stop.status} in ${formatMs(stop.durationMs ?? 0)}`);
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
 * The stop plan of `snapshot` at `now` (the app's monotonic milliseconds) as text: a headline, then each
 * stop stage with the stages it begins after, its state, its drain budget as a bar counting down, and its
 * members with their states and latest progress records. `colors` from picocolors (off for plain text).
 */
export function renderLifecycle(
  snapshot: LifecycleSnapshot,
  now: number,
  source: string,
  colors: Colors,
): string {
  const modules = new Map(snapshot.modules.map((module) => [module.name, module]));
  const lines = [headline(snapshot, now, source, colors), 'stop plan:'];
  for (const stage of snapshot.stages.filter((candidate) => candidate.phase === 'stop')) {
    const color = stageColor(colors, stage.state);
    lines.push(
      `  ${color(`${STAGE_MARK[stage.state]} ${stage.id}`)}  ${budgetText(stage, now, colors)}${
        stage.follows.length === 0 ? '' : colors.dim(`  (after ${stage.follows.join(', ')})`)
      }`,
    );
    for (const name of stage.members) {
      lines.push(moduleLine(modules.get(name) ?? { name, state: 'idle' }, now, colors));
    }
  }
  return lines.join('\n');
}

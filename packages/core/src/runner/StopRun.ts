import type { CutReason, LifecycleEvent, StopStatus } from '../events/LifecycleEvent.js';
import { formatDuration, MAX_DURATION_MS } from '../module/Duration.js';
import type { StopStage } from '../plan/AppPlan.js';
import { type ModuleRuntime, STOP_CUT_GRACE_MS, type Unstamped } from './ModuleRuntime.js';

/** How long a stop may run on after the deadline cut everything before it is given up as forced. */
export const DEADLINE_GRACE_MS = 1_000;

/** The result of stopping an app. */
export interface StopOutcome {
  /** `clean`: every module stopped (drain budget cuts included); `failed`: one threw; `forced`: a second signal or the deadline. */
  readonly status: StopStatus;
  /** What forced it, when `status` is `forced`: a second signal or `app.cut()` (`signal`), or the deadline. */
  readonly forcedBy?: CutReason;
  readonly durationMs: number;
  /** Modules that threw while stopping or did not finish after the deadline. */
  readonly failed: readonly string[];
  /** Modules whose stop signal fired (budget, signal or deadline). */
  readonly cut: readonly string[];
}

/**
 * One execution of a stop plan over the modules that are running. A stage begins when every stage it
 * follows has completed; stages that become ready together begin in the same tick.
 */
export class StopRun {
  readonly #waitingOn = new Map<string, number>();
  readonly #dependents = new Map<string, string[]>();
  readonly #stages: ReadonlyMap<string, StopStage>;
  readonly #stageOfModule = new Map<string, string>();
  readonly #begun = new Set<string>();
  readonly #completed = new Set<string>();
  readonly #failed = new Set<string>();
  #forcedBy: CutReason | undefined;
  /** What ended the wait for modules still stopping: the deadline, or a cut after a cut (a third signal). */
  #abandonedBy: CutReason | undefined;
  /** When the first cut came (`performance.now()`). */
  #cutAt: number | undefined;
  #abandonTimer: NodeJS.Timeout | undefined;
  #beganAt = 0;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #finish: ((outcome: StopOutcome) => void) | undefined;

  constructor(
    stages: readonly StopStage[],
    private readonly runtimes: ReadonlyMap<string, ModuleRuntime>,
    private readonly emit: (event: Unstamped) => void,
    private readonly deadlineMs: number,
  ) {
    this.#stages = new Map(stages.map((stage) => [stage.id, stage]));
    for (const stage of stages) {
      this.#waitingOn.set(stage.id, stage.follows.length);
      for (const member of stage.members) this.#stageOfModule.set(member, stage.id);
      for (const previous of stage.follows) {
        const list = this.#dependents.get(previous);
        if (list === undefined) this.#dependents.set(previous, [stage.id]);
        else list.push(stage.id);
      }
    }
  }

  /** Runs the plan; resolves when every stage has completed, or at the deadline plus its grace. */
  run(): Promise<StopOutcome> {
    return new Promise((resolve) => {
      this.#finish = resolve;
      this.#beganAt = performance.now();
      // A deadline further than a timer reaches (stages whose budgets add up past 24.8 days) would fire at
      // once: it is not armed, and each stage's own budget still bounds the stop.
      if (this.deadlineMs <= MAX_DURATION_MS)
        this.#deadlineTimer = setTimeout(() => this.onDeadline(), this.deadlineMs);
      this.beginReady(
        [...this.#stages.values()].filter((stage) => stage.follows.length === 0).map((stage) => stage.id),
      );
      if (this.#stages.size === 0) this.complete();
    });
  }

  /**
   * Cuts every drain now; stages not yet begun begin with their signal already fired. A cut after a cut
   * (a third stop signal) stops waiting, as the deadline does, for modules that have not returned from
   * theirs `STOP_CUT_GRACE_MS` after it: a burst of signals does not take a module's moment to answer.
   */
  cut(reason: CutReason): void {
    if (this.#cutAt !== undefined && this.#finish !== undefined) {
      if (this.#abandonTimer !== undefined || this.#abandonedBy !== undefined) return;
      const wait = Math.max(0, this.#cutAt + STOP_CUT_GRACE_MS - performance.now());
      this.#abandonTimer = setTimeout(() => this.abandon(reason), wait);
      // The wait now ends when a module's overdue warning would come: it would say the stages after it
      // wait until the deadline or a third signal; KAS_STOP_STUCK says what happens instead.
      for (const runtime of this.runtimes.values()) runtime.endWait();
      return;
    }
    this.#cutAt ??= performance.now();
    this.#forcedBy ??= reason;
    for (const runtime of this.runtimes.values())
      runtime.cut(this.#stageOfModule.get(runtime.name) ?? '?', reason);
  }

  private onDeadline(): void {
    const pending = [...this.runtimes.values()].filter(
      (runtime) => runtime.state === 'running' || runtime.state === 'stopping',
    );
    this.emit({
      type: 'shutdown.deadline',
      deadlineMs: this.deadlineMs,
      pending: pending.map((runtime) => runtime.name),
    });
    if (this.#cutAt === undefined) this.cut('deadline');
    else for (const runtime of pending) runtime.cut(this.#stageOfModule.get(runtime.name) ?? '?', 'deadline');
    this.abandon('deadline');
  }

  /**
   * Stops waiting for modules that have not returned from their stop: every stage not yet begun begins
   * (its modules' signals already fired), and the stop ends `DEADLINE_GRACE_MS` later whatever is left.
   */
  private abandon(reason: CutReason): void {
    if (this.#abandonedBy !== undefined) return;
    this.#abandonedBy = reason;
    for (const runtime of this.runtimes.values()) runtime.endWait();
    this.beginReady([...this.#stages.keys()].filter((id) => !this.#begun.has(id)));
    this.#graceTimer = setTimeout(() => this.complete(), DEADLINE_GRACE_MS);
  }

  private beginReady(ready: readonly string[]): void {
    const now = ready.filter((id) => !this.#begun.has(id));
    for (const id of now) this.#begun.add(id);
    for (const id of now) this.beginStage(this.#stages.get(id) as StopStage);
  }

  private beginStage(stage: StopStage): void {
    // All members begin in this tick, in reverse start order, as the default stops them: the tracker's
    // one-write withdraw goes out before the agent server's GOAWAY to every connection, not after it.
    const members = [...stage.members]
      .reverse()
      .map((name) => this.runtimes.get(name))
      .filter((runtime): runtime is ModuleRuntime => runtime?.state === 'running');
    if (members.length === 0) {
      this.completeStage(stage.id, undefined);
      return;
    }
    const beganAt = performance.now();
    this.emit({
      type: 'stage.begin',
      phase: 'stop',
      stage: stage.id,
      members: members.map((runtime) => runtime.name),
    });
    const deadline = Date.now() + Math.max(0, this.deadlineMs - (beganAt - this.#beganAt));
    let left = members.length;
    for (const runtime of members) {
      void runtime.stop(stage.id, this.#forcedBy, deadline).then((isStopped) => {
        if (!isStopped) this.#failed.add(runtime.name);
        left -= 1;
        if (left === 0) this.completeStage(stage.id, beganAt);
      });
    }
  }

  private completeStage(id: string, beganAt: number | undefined): void {
    if (this.#completed.has(id)) return;
    this.#completed.add(id);
    if (beganAt !== undefined)
      this.emit({
        type: 'stage.complete',
        phase: 'stop',
        stage: id,
        durationMs: performance.now() - beganAt,
      });
    const ready: string[] = [];
    for (const next of this.#dependents.get(id) ?? []) {
      const left = (this.#waitingOn.get(next) ?? 0) - 1;
      this.#waitingOn.set(next, left);
      if (left === 0) ready.push(next);
    }
    this.beginReady(ready);
    if (this.#completed.size === this.#stages.size) this.complete();
  }

  private complete(): void {
    const finish = this.#finish;
    if (finish === undefined) return;
    this.#finish = undefined;
    clearTimeout(this.#deadlineTimer);
    clearTimeout(this.#graceTimer);
    clearTimeout(this.#abandonTimer);
    for (const runtime of this.runtimes.values()) {
      if (runtime.state !== 'stopping') continue;
      this.#failed.add(runtime.name);
      this.emit({
        type: 'module.failed',
        module: runtime.name,
        stage: this.#stageOfModule.get(runtime.name) ?? '?',
        phase: 'stop',
        durationMs: performance.now() - this.#beganAt,
        error: {
          name: 'CoreError',
          code: 'KAS_STOP_STUCK',
          message: `module "${runtime.name}" was still stopping ${formatDuration(DEADLINE_GRACE_MS)} after ${
            this.#abandonedBy === 'signal'
              ? 'a third stop signal ended the wait for it'
              : 'the shutdown deadline cut it'
          }`,
          fix: `make the stop of "${runtime.name}" return when ctx.signal fires (its drain budget, a second signal or the deadline); the process exits without waiting for it`,
        },
      });
    }
    const cut = [...this.runtimes.values()].filter((runtime) => runtime.isCut).map((runtime) => runtime.name);
    const status: StopStatus =
      this.#forcedBy !== undefined ? 'forced' : this.#failed.size > 0 ? 'failed' : 'clean';
    finish({
      status,
      ...(this.#forcedBy === undefined ? {} : { forcedBy: this.#forcedBy }),
      durationMs: performance.now() - this.#beganAt,
      failed: [...this.#failed],
      cut,
    });
  }
}

/** The event an app emits when a stop run ends. */
export function stoppedEvent(
  outcome: StopOutcome,
): Unstamped<Extract<LifecycleEvent, { type: 'app.stopped' }>> {
  return { type: 'app.stopped', ...outcome };
}

import { CoreError } from '../errors/CoreError.js';
import type { StartStage } from '../plan/AppPlan.js';
import type { ModuleRuntime, Unstamped } from './ModuleRuntime.js';

/**
 * Starts stage by stage; the members of a stage start concurrently. When one fails (or `stopRequested`
 * fires) the rest of its stage is aborted and no later stage begins. Resolves with the first failure,
 * or undefined when every module started (or a stop was requested: the caller checks the signal).
 */
export async function runStartPlan(
  stages: readonly StartStage[],
  runtimes: ReadonlyMap<string, ModuleRuntime>,
  emit: (event: Unstamped) => void,
  stopRequested: AbortSignal,
): Promise<CoreError | undefined> {
  let failure: CoreError | undefined;
  for (const stage of stages) {
    if (stopRequested.aborted) break;
    const stageId = `start-${stage.index}`;
    const stageBeganAt = performance.now();
    emit({ type: 'stage.begin', phase: 'start', stage: stageId, members: stage.modules });
    // Each member gets a signal of its own, and the stage one listener that fans out to them: members
    // listening on one shared signal would be quadratic to remove and warn of a leak past ten.
    const controls = stage.modules.map(() => new AbortController());
    let isStageAborted = false;
    const abortStage = (reason: CoreError) => {
      if (isStageAborted) return;
      isStageAborted = true;
      for (const control of controls) control.abort(reason);
    };
    const onStop = () => abortStage(abortedError('a stop was requested'));
    stopRequested.addEventListener('abort', onStop, { once: true });
    const results = await Promise.all(
      stage.modules.map(async (name, index) => {
        const signal = (controls[index] as AbortController).signal;
        const result = await (runtimes.get(name) as ModuleRuntime).start(stageId, signal);
        if (!result.isRunning && !isStageAborted) {
          failure ??= wrapStartFailure(name, result.error);
          abortStage(abortedError(`"${name}" failed to start`));
        }
        return result;
      }),
    );
    stopRequested.removeEventListener('abort', onStop);
    if (results.every((result) => result.isRunning)) {
      emit({
        type: 'stage.complete',
        phase: 'start',
        stage: stageId,
        durationMs: performance.now() - stageBeganAt,
      });
    }
    if (failure !== undefined || stopRequested.aborted) break;
  }
  return failure;
}

/** The error of a start abandoned because a stop was requested or a module of its stage failed. */
export function abortedError(why: string): CoreError {
  return new CoreError(
    'KAS_START_ABORTED',
    `start abandoned: ${why}`,
    'none needed when a stop was requested; otherwise see the failing module',
  );
}

function wrapStartFailure(module: string, cause: unknown): CoreError {
  if (cause instanceof CoreError && cause.code === 'KAS_START_TIMEOUT') return cause;
  const message = cause instanceof Error ? cause.message : String(cause);
  return new CoreError(
    'KAS_START_FAILED',
    `module "${module}" failed to start: ${message}`,
    `read the error of "${module}" above; the modules already started were stopped`,
    { cause },
  );
}

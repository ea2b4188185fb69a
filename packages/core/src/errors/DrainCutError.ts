import type { CutReason } from '../events/LifecycleEvent.js';
import { CoreError } from './CoreError.js';

/**
 * The reason of a module's stop signal when its drain is cut (`ctx.signal.reason`): code `KAS_DRAIN_CUT`,
 * and why, as data, so a module can tell its clients in its own words (`budget`: its drain budget ended;
 * `signal`: a second stop signal; `deadline`: the app's shutdown deadline).
 */
export class DrainCutError extends CoreError<'KAS_DRAIN_CUT'> {
  override readonly name = 'DrainCutError';

  constructor(
    message: string,
    fix: string,
    /** What cut the drain. */
    readonly cutReason: CutReason,
  ) {
    super('KAS_DRAIN_CUT', message, fix);
  }
}

const CUT_REASONS: readonly CutReason[] = ['budget', 'signal', 'deadline'];

/**
 * Why a stop's `ctx.signal` fired, for a module that words a cut itself: the `cutReason` of the
 * `DrainCutError` the core aborts it with. Read as a field, not by class (a module may load another copy
 * of the core); a signal fired by anything else counts as the drain budget.
 *
 * @example
 * ctx.signal.addEventListener('abort', () => cutAll(cutReasonOf(ctx.signal)), { once: true });
 */
export function cutReasonOf(signal: AbortSignal): CutReason {
  const reason = (signal.reason as Partial<Pick<DrainCutError, 'cutReason'>> | undefined)?.cutReason;
  return reason !== undefined && CUT_REASONS.includes(reason) ? reason : 'budget';
}

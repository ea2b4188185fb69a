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

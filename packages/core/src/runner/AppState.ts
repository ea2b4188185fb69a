import { CoreError } from '../errors/CoreError.js';

/** The state of an app (and of each of its modules, which can also be `failed`). */
export type AppState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** The state of one module of a running app. */
export type ModuleState = AppState | 'failed';

/** Throws `KAS_ILLEGAL_STATE` naming the current state unless it is one of `allowed`. */
export function assertState<S extends string>(current: S, allowed: readonly S[], action: string): void {
  if (!allowed.includes(current)) {
    throw new CoreError(
      'KAS_ILLEGAL_STATE',
      `cannot ${action}: the app is ${current}`,
      `call ${action} only when the app is ${allowed.join(' or ')}`,
    );
  }
}

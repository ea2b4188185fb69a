/**
 * Every error code `@kas/core` throws, with what it means. The package README lists the same table;
 * a test keeps the two in step.
 */
export const CORE_ERROR_CODES = {
  KAS_INVALID_DECLARATION:
    'a module declaration or app option is malformed (bad name or tag, bad duration, wrong type)',
  KAS_DUPLICATE_MODULE: 'two modules of one app have the same name',
  KAS_UNKNOWN_MODULE: 'a start dependency, stop relation or override names a module the app does not have',
  KAS_START_CYCLE: 'start dependencies (declared, or implied by DI needs) form a cycle',
  KAS_STOP_CYCLE: 'stop relations and the start-order default form a cycle between stop stages',
  KAS_STOP_CONTRADICTION:
    'two stop declarations cannot both hold (two relations for one pair, or an after on a last module)',
  KAS_TOKEN_NOT_PROVIDED: 'a module needs a DI token that no module and no app value provides',
  KAS_TOKEN_PROVIDED_TWICE:
    "a DI token is provided twice: by two modules, by a module and the app, or twice in the app's provide",
  KAS_ILLEGAL_STATE: 'an app was asked to do something its current state does not allow',
  KAS_START_FAILED: 'a module failed to start; the modules already started were stopped',
  KAS_START_TIMEOUT: 'a module did not start within its start budget',
  KAS_START_ABORTED: 'start was abandoned because a stop was requested, or a module of the same stage failed',
  KAS_STOP_FAILED: 'a module threw while stopping',
  KAS_DRAIN_CUT:
    'the reason of a stop signal: the drain budget ended, a second signal came, or the deadline passed',
  KAS_STOP_STUCK:
    'a module did not finish stopping even after it was cut at the shutdown deadline or a third stop signal',
} as const;

/** A stable error code of `@kas/core`; callers branch on it. */
export type CoreErrorCode = keyof typeof CORE_ERROR_CODES;

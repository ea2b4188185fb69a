/**
 * What a module's code threw while kas loaded it (at import, or in its factory), for kas's error about it:
 * the thrown error's code and message, and its own fix if it has one.
 */
export interface ModuleErrorDescription {
  /** `KAS_INVALID_DECLARATION: module "x": drainBudget: ...`, or the message alone when it has no code. */
  readonly text: string;
  /** The thrown error's `fix` (a `CoreError`'s), to pass on. */
  readonly fix?: string;
}

/** Describes anything a module's code threw (an `Error`, a `CoreError` with `code` and `fix`, any value). */
export function describeModuleError(thrown: unknown): ModuleErrorDescription {
  if (typeof thrown !== 'object' || thrown === null) return { text: String(thrown) };
  const { code, fix, message } = thrown as { code?: unknown; fix?: unknown; message?: unknown };
  const text = `${typeof code === 'string' ? `${code}: ` : ''}${typeof message === 'string' ? message : String(thrown)}`;
  return typeof fix === 'string' ? { text, fix } : { text };
}

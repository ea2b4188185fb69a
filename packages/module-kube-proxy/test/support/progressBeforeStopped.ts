import type { LifecycleEvent } from '@kas/core';

/**
 * A module's progress records up to its `module.stopped`, in order: the last one is what a viewer of a
 * stopping process is left with.
 */
export function progressBeforeStopped(
  trace: readonly LifecycleEvent[],
  module: string,
): Record<string, unknown>[] {
  const stopped = trace.findIndex((event) => event.type === 'module.stopped' && event.module === module);
  return trace
    .slice(0, stopped)
    .flatMap((event) =>
      event.type === 'module.progress' && event.module === module ? [event.progress] : [],
    );
}

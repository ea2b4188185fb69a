import type { PlannedModule } from '@kas/core';

/**
 * ` (set by <origin>)` when an override set the module's stop declaration, so a fix that names one of its
 * stop relations sends the reader there (kas: the kas.yaml entry and its line); empty otherwise.
 */
export function stopSetByNote(module: PlannedModule): string {
  return module.stopSetBy === undefined ? '' : ` (set by ${module.stopSetBy})`;
}

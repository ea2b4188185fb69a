import type { DemoState } from './DemoState.js';

/** Where the demo shows what happens: lines that stay, and a live status redrawn as things change. */
export interface ProgressView {
  /** A line that stays (an event: a replica stopped, agents moved). */
  note(line: string): void;
  /** The current state; a view redraws it in place or prints it now and then. */
  update(state: DemoState): void;
  /** Leaves the last status on screen and stops redrawing. */
  done(): void;
}

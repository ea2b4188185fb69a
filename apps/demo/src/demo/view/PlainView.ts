import type { DemoState } from './DemoState.js';
import type { ProgressView } from './ProgressView.js';
import { renderStatus } from './renderStatus.js';

/** When stdout is not a terminal (CI, a file): events as lines, and the status every `everyMs`. */
export class PlainView implements ProgressView {
  #printedAt = 0;

  constructor(private readonly everyMs = 5_000) {}

  note(line: string): void {
    process.stdout.write(`${line}\n`);
  }

  update(state: DemoState): void {
    if (state.elapsedMs - this.#printedAt < this.everyMs) return;
    this.#printedAt = state.elapsedMs;
    process.stdout.write(`${renderStatus(state)}\n`);
  }

  done(): void {}
}

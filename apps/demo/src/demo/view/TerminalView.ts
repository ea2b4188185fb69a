import { createLogUpdate } from 'log-update';
import type { DemoState } from './DemoState.js';
import type { ProgressView } from './ProgressView.js';
import { renderStatus } from './renderStatus.js';

/** For a terminal: the status redrawn in place (log-update), events printed above it. */
export class TerminalView implements ProgressView {
  readonly #log = createLogUpdate(process.stdout);

  note(line: string): void {
    this.#log.persist(line);
  }

  update(state: DemoState): void {
    this.#log(renderStatus(state));
  }

  done(): void {
    this.#log.done();
  }
}

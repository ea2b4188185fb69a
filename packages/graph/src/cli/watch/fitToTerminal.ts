import wrapAnsi from 'wrap-ansi';
import type { Colors } from './renderLifecycle.js';

/** A terminal's size in character cells, as `process.stdout` reports it. */
export interface TerminalSize {
  readonly rows: number;
  readonly columns: number;
}

/**
 * The view as it fits a terminal of `size` when redrawn in place: wrapped at its width (as log-update wraps
 * it) and, when taller than the terminal, cut from the bottom with a last line saying how many lines were
 * left out. log-update itself would cut from the top, silently, taking the headline and the first stages.
 */
export function fitToTerminal(view: string, size: TerminalSize, colors: Colors): string {
  const lines = wrapAnsi(view, size.columns, { trim: false, hard: true, wordWrap: false }).split('\n');
  // log-update leaves the cursor on a line of its own below the view
  const room = size.rows - 1;
  if (lines.length <= room) return lines.join('\n');
  if (room <= 1) return lines[0] ?? '';
  const kept = lines.slice(0, room - 1);
  return [...kept, colors.dim(`… ${lines.length - kept.length} more lines`)].join('\n');
}

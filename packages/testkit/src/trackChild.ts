import type { ChildProcess } from 'node:child_process';

const children = new Set<ChildProcess>();
let isHooked = false;

/**
 * Remembers a child so that, if a test run dies before the test stops it, the child is killed with
 * the test process rather than left behind.
 */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (isHooked) return;
  isHooked = true;
  process.once('exit', () => {
    for (const orphan of children) orphan.kill('SIGKILL');
  });
}

import { readFile } from 'node:fs/promises';
import { scaledMs } from '@kas/testkit';

/** SIGHUP's bit in /proc's signal masks (bit n-1 for signal n). */
const SIGHUP_BIT = 1n;

/**
 * Resolves once process `pid` catches SIGHUP, read from Linux's /proc/<pid>/status (`SigCgt`): kas's
 * main.js installs its SIGTERM, SIGINT and SIGHUP handlers in one turn, as its first code. SIGHUP is the
 * one that tells: Node catches SIGTERM and SIGINT from its own start-up (to restore the terminal, then
 * die by them) and SIGHUP only for a program that asks. Rejects if the process is gone first.
 */
export async function waitForStopHandlers(pid: number, timeoutMs = 10_000): Promise<void> {
  const giveUpAt = performance.now() + scaledMs(timeoutMs);
  for (;;) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1];
    if (caught === undefined || /^State:\s*Z/m.test(status)) throw new Error(`process ${pid} is gone`);
    if ((BigInt(`0x${caught}`) & SIGHUP_BIT) !== 0n) return;
    if (performance.now() > giveUpAt)
      throw new Error(`process ${pid} did not catch SIGHUP in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

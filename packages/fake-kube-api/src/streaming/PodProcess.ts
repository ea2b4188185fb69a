import type { PodLogs } from '../objects/PodLogs.js';
import type { CommandIo } from '../sandbox/CommandIo.js';
import type { MainProcess } from './PodMainProcesses.js';

/**
 * A fake pod's main process, for `kubectl attach`. A container whose spec names a command runs it
 * ({@link MainProcess}: `kubectl run -it … -- sh`), and the attach is connected to it until it exits
 * (its exit code ends the attach) or the client leaves. Otherwise the output is the container's log as it
 * is written (what `objects.appendLog` adds), and what an attached client types (`-i`) is echoed back,
 * as a `cat` would; that attach lasts until the client leaves, types Ctrl-C on a terminal (`-t`: the
 * process dies of the SIGINT, exit code 130) or the pod is deleted.
 */
export class PodProcess {
  constructor(
    private readonly logs: PodLogs,
    private readonly namespace: string,
    private readonly pod: string,
    private readonly container: string,
    private readonly main?: { readonly process: MainProcess; readonly stdinOnce: boolean },
  ) {}

  async attach(io: CommandIo): Promise<number> {
    if (this.main !== undefined) return (await this.main.process.attach(io, this.main.stdinOnce)) ?? 0;
    let podGone!: () => void;
    const ended = new Promise<void>((resolve) => {
      podGone = resolve;
    });
    const unfollow = this.logs.follow(this.namespace, this.pod, this.container, (line) => {
      if (line === 'ended') podGone();
      else io.writeStdout(`${line.text}\n`);
    });
    const echo = (async () => {
      for (;;) {
        const chunk = await io.readStdin();
        if (chunk === null) return;
        io.writeStdout(chunk);
      }
    })();
    await Promise.race([ended, io.gone]);
    unfollow();
    void echo;
    return 0;
  }
}

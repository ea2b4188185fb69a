import { type RunningProcess, startProcess } from '@kas/testkit';
import { DemoError } from '../errors/DemoError.js';

/** The fake Kubernetes API as a process of its own, as agents' clusters would have theirs. */
export interface FakeKubeApiProcess {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly process: RunningProcess;
}

/** Starts `fake-kube-api --port 0` (with demo activity: pods come and go every `intervalMs`). */
export async function startFakeKubeApiProcess(
  program: string,
  activityIntervalMs: number,
): Promise<FakeKubeApiProcess> {
  const child = startProcess(process.execPath, [
    program,
    '--port',
    '0',
    '--demo-activity',
    '--demo-interval-ms',
    String(activityIntervalMs),
  ]);
  try {
    const listening = await child.waitForLog({ event: 'server.listening' }, 20_000);
    return { url: String(listening.url), process: child };
  } catch (error) {
    await child.stop(1_000);
    throw new DemoError(
      'KAS_DEMO_PROCESS_FAILED',
      `the fake Kubernetes API did not start: ${(error as Error).message}`,
      'read the lines above; is @kas/fake-kube-api built?',
      { cause: error },
    );
  }
}

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type RunningProcess, startProcess } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { kasGraphBin, repositoryRoot } from './support/runKasGraph.js';

const run = promisify(execFile);
const runOnKubernetes = fileURLToPath(new URL('../../docs/run-on-kubernetes.md', import.meta.url));

/** The guide's command that starts with `program`, in its `sh` block that records a stop; no `&`, no comment. */
async function guideCommand(program: string): Promise<string> {
  const markdown = await readFile(runOnKubernetes, 'utf8');
  const block = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)]
    .map(([, body = '']) => body)
    .find((body) => body.includes('--record'));
  const line = block?.split('\n').find((candidate) => candidate.startsWith(`${program} `));
  if (line === undefined) throw new Error(`no "${program} ..." line in the guide's recording block`);
  return line.replace(/\s*&?\s*(#.*)?$/, '');
}

/** A guide line as a shell command here: `npx kas-graph` is this checkout's bin (npx outside it would download one). */
function withLocalKasGraph(command: string): string {
  return command.replace(/^npx kas-graph /, `"${process.execPath}" "${kasGraphBin}" `);
}

describe('run-on-kubernetes.md: watching and recording a stop', () => {
  let folder: string | undefined;
  const processes: RunningProcess[] = [];
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((child) => child.stop()));
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
    folder = undefined;
  });

  it("the guide's kas-graph watch --record line records a replica's stop as a trace that its timeline line draws", async () => {
    folder = await mkdtemp(join(tmpdir(), 'kas-record-stop-'));
    const dir = folder;
    // A kas with the lifecycle view on (dev mode turns it on), in place of the forwarded pod.
    const kas = startProcess(process.execPath, [
      join(repositoryRoot, 'apps/kas/dist/main.js'),
      '--dev',
      '--dev-dir',
      join(dir, 'dev'),
      '--log-format',
      'json',
    ]);
    processes.push(kas);
    await kas.waitForLog({ event: 'dev.ready' }, 20_000);
    const url = String((await kas.waitForLog({ msg: 'observability listening' })).url);
    const port = new URL(url).port;

    const watch = withLocalKasGraph(await guideCommand('npx kas-graph watch')).replace(
      '127.0.0.1:8151',
      `127.0.0.1:${port}`,
    );
    const recorder = startProcess('sh', ['-c', watch], { cwd: dir });
    processes.push(recorder);
    // Without a terminal, watch prints the view once it has the replica's state: from then on, every
    // event is recorded.
    await recorder.waitForLine((line) => line.text === 'stop plan:');

    kas.signal('SIGTERM');
    expect(await kas.exited).toEqual({ code: 0, signal: null });
    expect(await recorder.exited).toEqual({ code: 0, signal: null }); // the stream ends with the stop
    const trace = (await readFile(join(dir, 'stop.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    expect(trace[0]).toMatchObject({ type: 'signal.received', signal: 'SIGTERM' });
    expect(trace.at(-1)).toMatchObject({ type: 'app.stopped' });
    expect(recorder.lines.map((line) => line.text)).toContain(
      `recorded ${trace.length} lifecycle events to stop.jsonl`,
    );

    const timeline = await run(
      'sh',
      ['-c', withLocalKasGraph(await guideCommand('npx kas-graph timeline'))],
      {
        cwd: dir,
      },
    );
    expect(timeline.stderr).toBe('');
    expect(await readFile(join(dir, 'stop.svg'), 'utf8')).toContain('tunnels.withdrawn');
  });
});

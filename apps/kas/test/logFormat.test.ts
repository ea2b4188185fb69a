import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { type RunningProcess, startProcess } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareDevFiles } from '../src/dev/prepareDevFiles.js';
import { startDevKas } from './support/startDevKas.js';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** `[HH:MM:ss.l] LEVEL: `, how every human line begins. */
const HUMAN = /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): /;
/** A duration as kas writes it in messages: `412ms`, `1s 20ms`, `0s`. */
const DURATION = String.raw`\d+(?:h|m|s|ms)(?: \d+(?:h|m|s|ms))*`;

describe("kas's log lines", () => {
  let kas: RunningProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await kas?.stop();
    kas = undefined;
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('with --dev are human lines (time, level, [module], message, key fields) with the dev banners framed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kas-log-'));
    kas = startProcess(process.execPath, [main, '--dev', '--dev-dir', join(dir, 'dev')]);
    const command = `KUBECONFIG=${join(dir, 'dev', 'kubeconfig')} kubectl get pods`;
    // The banner's last line, with its fields.
    await kas.waitForLine((line) => line.text.startsWith('┗') && line.text.includes('"watchCommand"'));

    const stdout = kas.lines.filter((line) => line.stream === 'stdout').map((line) => line.text);
    expect(stdout.filter((text) => text.startsWith('{'))).toEqual([]);
    expect(stdout[0]).toMatch(new RegExp(`${HUMAN.source}┏━{78}$`));
    expect(stdout[1]).toMatch(/^┃ DEV MODE: throwaway CA, tokens and config in /);
    const ready = stdout.indexOf(`┃     ${command}`);
    expect(stdout[ready - 3]).toMatch(new RegExp(`${HUMAN.source}\\[dev-agent\\] ┏━{78}$`));
    const observability = /observability listening \{"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(
      stdout.join('\n'),
    )?.[1];
    // Each command whole, on a line of its own.
    expect(stdout.slice(ready - 2, ready + 11)).toEqual([
      '┃ DEV MODE ready: run',
      '┃',
      `┃     ${command}`,
      '┃',
      '┃ (answers through kas -> tunnel -> dev agent -> fake Kubernetes API). Watch',
      '┃ kas start and stop live: open',
      '┃',
      `┃     ${observability}/debug/lifecycle/ui/`,
      '┃',
      '┃ or run',
      '┃',
      `┃     npx kas-graph watch ${observability}`,
      expect.stringMatching(/^┗━{78} \{.*"command":"KUBECONFIG=/),
    ]);
    expect(stdout).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `${HUMAN.source}\\[kube-proxy\\] kube proxy listening on https://127\\.0\\.0\\.1:\\d+ \\{"url":"https://127\\.0\\.0\\.1:\\d+","tls":true\\}$`,
        ),
      ),
    );
    // Every other line is one human line per event.
    const framed = /^(┃|┗)/;
    expect(stdout.filter((text) => !HUMAN.test(text) && !framed.test(text))).toEqual([]);

    kas.signal('SIGTERM');
    expect(await kas.exited).toEqual({ code: 0, signal: null });
    expect(kas.lines.at(-2)?.text).toMatch(new RegExp(`${HUMAN.source}app stopped clean in ${DURATION}`));
    expect(kas.lines.at(-1)?.text).toMatch(
      new RegExp(`${HUMAN.source}exiting with code 0: the app stopped clean`),
    );
  });

  it('are pino JSON with --dev --log-format json', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kas-log-'));
    kas = startDevKas(dir);
    const ready = await kas.waitForLog({ event: 'dev.ready' });
    expect(ready.command).toBe(`KUBECONFIG=${join(dir, 'dev', 'kubeconfig')} kubectl get pods`);
    expect(kas.lines.filter((line) => line.json === undefined)).toEqual([]);
  });

  it('stay pino JSON in production (no terminal, no --dev), and are human lines with --log-format pretty', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kas-log-'));
    const { configPath } = await prepareDevFiles(dir);
    kas = startProcess(process.execPath, [main, '--config', configPath]);
    await kas.waitForLog({ event: 'app.started' });
    expect(kas.lines.filter((line) => line.json === undefined)).toEqual([]);
    await kas.stop();

    kas = startProcess(process.execPath, [main, '--config', configPath, '--log-format', 'pretty']);
    const started = await kas.waitForLine((line) => /app started in \d/.test(line.text));
    expect(started.text).toMatch(new RegExp(`${HUMAN.source}app started in ${DURATION} \\{"durationMs":`));
    expect(kas.lines.filter((line) => line.json !== undefined)).toEqual([]);
  });

  it('are human lines when stdout is a terminal, here the refusal of a config file that is not there', async () => {
    // `script` runs kas with a pseudo-terminal as its stdout.
    const missing = join(tmpdir(), 'kas-no-such-config.yaml');
    kas = startProcess('script', ['-qefc', `${process.execPath} ${main} --config ${missing}`, '/dev/null']);
    expect(await kas.exited).toEqual({ code: 2, signal: null });
    const first = stripVTControlCharacters(kas.lines[0]?.text ?? '').trimEnd();
    expect(first).toMatch(
      new RegExp(
        `${HUMAN.source.replace('(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)', 'FATAL')}kas did not start: cannot read config file ${missing}`,
      ),
    );
    expect(first).toContain('{"code":"KAS_CONFIG_UNREADABLE","fix":"check the path given to --config');
    // One refusal line names what is wrong and what to do; no stack follows it, only the exit's line.
    const lines = kas.lines.map((line) => stripVTControlCharacters(line.text).trim()).filter((text) => text);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      new RegExp(
        `${HUMAN.source.replace('(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)', 'INFO')}exiting with code 2: `,
      ),
    );
  });

  it('refuses an unknown --log-format, naming the choices', async () => {
    kas = startProcess(process.execPath, [main, '--dev', '--log-format', 'xml']);
    expect(await kas.exited).toEqual({ code: 2, signal: null });
    expect(kas.logs()[0]).toMatchObject({ code: 'KAS_USAGE', level: 60 });
    expect(kas.logs()[0]?.msg).toContain(
      "option '--log-format <format>' argument 'xml' is invalid. Allowed choices are json, pretty.",
    );
  });
});

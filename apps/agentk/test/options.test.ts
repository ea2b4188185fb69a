import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentkModule, loadAgentkOptions, parseAgentkArgs } from '../src/index.js';

async function tokenFile(): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'agentk-options-')), 'agent-1.token');
  await writeFile(file, 'a-token\n');
  return file;
}

const args = (file: string, ...extra: string[]) =>
  parseAgentkArgs(['node', 'agentk', '--token-file', file, '--kube-api', 'http://127.0.0.1:8001', ...extra]);

describe("agentk's options", () => {
  it('are checked with the shared pieces: host:port addresses and a duration, with the defaults filled in', async () => {
    const options = await loadAgentkOptions(args(await tokenFile(), '--kas', 'kas-0:8150,[::1]:8150'));
    expect(options).toMatchObject({
      kasAddresses: ['kas-0:8150', '[::1]:8150'],
      agents: [{ name: 'agent-1', token: 'a-token' }],
      minIdleTunnels: 4,
      maxTunnels: 64,
      drainBudget: 30_000,
    });
  });

  it.each([
    [
      ['--kas', 'kas-0:8150,kas.example.com'],
      `--kas: expected host:port, such as '0.0.0.0:8150', '127.0.0.1:0' or '[::1]:8150' (got "kas.example.com")`,
    ],
    [['--kas', ','], '--kas: expected at least one kas address, host:port'],
    [
      ['--kas', 'kas:8150', '--drain-budget', 'soon'],
      `--drain-budget: expected a duration: milliseconds, or a string such as '500ms', '10s', '75m' or '1h' (got "soon")`,
    ],
  ])('refuses %j naming the flag and what it expects', async (flags, message) => {
    await expect(loadAgentkOptions(args(await tokenFile(), ...flags))).rejects.toMatchObject({
      code: 'AGENTK_INVALID_CONFIG',
      message,
    });
  });

  it('refuses an unknown log level before anything starts, listing the levels (it crashed in pino with a stack)', async () => {
    expect(() => args('unused', '--kas', 'kas:8150', '--log-level', 'bogus')).toThrow(
      expect.objectContaining({
        code: 'commander.invalidArgument',
        message: expect.stringContaining(
          'Allowed choices are fatal, error, warn, info, debug, trace, silent',
        ),
      }),
    );
    expect(args('unused', '--kas', 'kas:8150', '--log-level', 'debug').logLevel).toBe('debug');
  });

  it('are parsed again by the module, which names the key for in-process users', () => {
    expect(() =>
      agentkModule({
        agents: [{ name: 'agent-1', token: 'secret-token' }],
        kasAddresses: ['kas'],
        kubeApi: { url: 'http://127.0.0.1:8001' },
        minIdleTunnels: 0,
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'AGENTK_INVALID_CONFIG',
        message: expect.stringMatching(
          /^agentk options: kasAddresses\[0\]: expected host:port.*; minIdleTunnels: expected an idle tunnel count as a whole number above 0$/,
        ),
      }),
    );
    expect(
      agentkModule({
        agents: [{ name: 'a', token: 't' }],
        kasAddresses: ['kas:1'],
        kubeApi: { url: 'http://x' },
      }).drainBudget,
    ).toBe(30_000);
  });
});

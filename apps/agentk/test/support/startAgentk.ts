import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestApp, type TestApp } from '@kas/core/testing';
import { type RunningProcess, startProcess } from '@kas/testkit';
import type { Logger } from 'pino';
import { type Agent, AgentkAgentsToken, type AgentkOptions, agentkModule } from '../../src/index.js';
import { TOKENS } from './startKasReplica.js';
import { testLogger } from './testLogger.js';

/** agentk's built entry point; `npm test` builds it first. */
export const AGENTK_BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** agentk run in this process as a `@kas/core` app, with its agents at hand. */
export interface InProcessAgentk {
  readonly app: TestApp;
  readonly agents: readonly Agent[];
}

/** Starts agentk in-process for the named agents (keys of `TOKENS`); `logger` to read what it logs. */
export async function startAgentkInProcess(
  names: readonly string[],
  options: Omit<AgentkOptions, 'agents'>,
  logger?: Logger,
): Promise<InProcessAgentk> {
  const app = await startTestApp({
    ...(logger === undefined ? testLogger() : { logger }),
    modules: [
      agentkModule({ ...options, agents: names.map((name) => ({ name, token: TOKENS[name] as string })) }),
    ],
  });
  return { app, agents: app.app.get(AgentkAgentsToken) };
}

/** Token files of the test agents, in a temporary folder, named `<agent>.token`. */
export interface TokenFiles {
  readonly dir: string;
  fileOf(name: string): string;
  remove(): Promise<void>;
}

/** Writes every test agent's token into a file of its own. */
export async function writeTokenFiles(): Promise<TokenFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'agentk-tokens-'));
  await Promise.all(
    Object.entries(TOKENS).map(([name, token]) => writeFile(join(dir, `${name}.token`), `${token}\n`)),
  );
  return {
    dir,
    fileOf: (name) => join(dir, `${name}.token`),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Starts the real agentk process with these flags. */
export function startAgentkProcess(
  args: readonly string[],
  env: Record<string, string> = {},
): RunningProcess {
  return startProcess(process.execPath, [AGENTK_BIN, ...args], { env });
}

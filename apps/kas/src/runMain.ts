import { CommanderError } from 'commander';
import { type DestinationStream, pino } from 'pino';
import { exitWithoutStart } from './cli/exitWithoutStart.js';
import { parseKasArgs } from './cli/parseKasArgs.js';
import { chooseLogFormat } from './logging/chooseLogFormat.js';
import { openLogDestination } from './logging/openLogDestination.js';
import { runKas, type SignalsWhileLoading } from './runKas.js';

/**
 * `kas`'s command line: parse, load, run; a refusal to start is one fatal line, then `app.exiting` with exit
 * code 2. `--help` prints the usage only, `--version` the version only.
 */
export async function runMain(signals: SignalsWhileLoading): Promise<void> {
  const isTty = process.stdout.isTTY === true;
  let logDestination: DestinationStream | undefined;
  try {
    const args = parseKasArgs(process.argv.slice(2), process.env);
    logDestination = await openLogDestination(
      chooseLogFormat({ requested: args.logFormat, isDev: args.isDev, isTty }),
    );
    await runKas(args, process.env, logDestination, signals);
  } catch (error) {
    // The loading-time signal handlers stay until the process exits (see `SignalsWhileLoading.release`).
    if (error instanceof CommanderError) return; // --help or --version: commander printed it
    const { code, fix } = error as { code?: string; fix?: string };
    logDestination ??= await openLogDestination(chooseLogFormat({ isDev: false, isTty }));
    const log = pino({ name: 'kas' }, logDestination);
    // An error with a code is kas refusing what it was given: its message says what is wrong and its fix
    // what to do, one line; a stack would only bury them. Anything else is a bug: its stack goes along.
    // `event` as on every other line, so a pipeline that keys on it sees the one line saying kas did not start
    log.fatal(
      {
        event: 'kas.notStarted',
        ...(code === undefined ? { err: error } : { code, fix }),
        ...moreProblemsOf(error),
      },
      `kas did not start: ${(error as Error).message}`,
    );
    await exitWithoutStart(log, 'refused');
  }
}

/** How many of a refused graph's further problems the line carries, and how much of each message. */
const MORE_PROBLEMS = 20;
const PROBLEM_MESSAGE_CHARACTERS = 2_000;

/**
 * A module graph refused with several problems (a `GraphError`): the message and fix are the first
 * one's, and the message only names the codes of the rest; `moreProblems` gives each with its own message
 * and fix (found by an author trial: one override broke two relations, and kas named only the first).
 */
function moreProblemsOf(error: unknown): { moreProblems?: { code: string; message: string; fix: string }[] } {
  const problems = (error as { problems?: readonly { code: string; message: string; fix: string }[] })
    ?.problems;
  if (!Array.isArray(problems) || problems.length < 2) return {};
  return {
    moreProblems: problems.slice(1, 1 + MORE_PROBLEMS).map(({ code, message, fix }) => ({
      code,
      message:
        message.length <= PROBLEM_MESSAGE_CHARACTERS
          ? message
          : `${message.slice(0, PROBLEM_MESSAGE_CHARACTERS)} …`,
      fix,
    })),
  };
}

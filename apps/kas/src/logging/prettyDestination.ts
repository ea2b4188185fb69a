import type { DestinationStream } from 'pino';
import { type MessageFormatFunc, prettyFactory } from 'pino-pretty';

/** Log lines whose message is framed so that it stands out: what a person must read or do. */
const BANNER_EVENTS: ReadonlySet<string> = new Set(['dev.mode', 'dev.ready', 'legacy.stopOrder']);

/** The frame's width in columns; a longer word (a path, the command) overflows it rather than break. */
const BANNER_WIDTH = 78;

/** Fields of a banner line that get a line of their own in the frame, whole, so they can be copied. */
const OWN_LINE_FIELDS = ['command', 'lifecyclePage', 'watchCommand'] as const;

/**
 * Human log lines: `HH:MM:ss.l LEVEL [module] message {key fields}`, one event per line, written
 * synchronously to `out` (pino-pretty's formatter in this process, not a worker transport, so the order
 * of lines and of the last line before an exit is kept). The lines of `BANNER_EVENTS` are framed, and
 * their `command`, `lifecyclePage` and `watchCommand` fields (what to run or open) each get a line of
 * their own in the frame, whole, so they can be copied.
 */
export function prettyDestination(
  out: DestinationStream,
  options: { readonly colorize: boolean },
): DestinationStream {
  const prettify = prettyFactory({
    colorize: options.colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    // The message says what happened; `replica` is the same on every line of one terminal.
    ignore: 'pid,hostname,name,module,replica,event,wallClock',
    singleLine: true,
    messageFormat,
  });
  return { write: (line: string) => out.write(prettify(line)) };
}

const messageFormat: MessageFormatFunc = (log, messageKey, _levelLabel, { colors }) => {
  const module = typeof log.module === 'string' ? `${colors.cyan(`[${log.module}]`)} ` : '';
  const message = String(log[messageKey] ?? '');
  if (typeof log.event !== 'string' || !BANNER_EVENTS.has(log.event)) return `${module}${message}`;
  // Each command keeps its place in the message, on a line of its own.
  const body: string[] = [];
  let rest = message;
  for (const field of OWN_LINE_FIELDS) {
    const value = log[field];
    const at = typeof value === 'string' ? rest.indexOf(value) : -1;
    if (at < 0) continue;
    body.push(...wrap(rest.slice(0, at)), '', `    ${value}`, '');
    rest = rest.slice(at + String(value).length);
  }
  body.push(...wrap(rest));
  if (body.at(-1) === '') body.pop();
  const rule = '━'.repeat(BANNER_WIDTH);
  const frame = (text: string) => colors.bold(colors.yellow(text));
  return [
    `${module}${frame(`┏${rule}`)}`,
    ...body.map((text) => (text === '' ? frame('┃') : `${frame('┃')} ${colors.bold(text)}`)),
    frame(`┗${rule}`),
  ].join('\n');
};

/** Splits `text` into lines of at most `BANNER_WIDTH - 2` columns at spaces. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.trim().split(' ')) {
    if (line !== '' && line.length + 1 + word.length > BANNER_WIDTH - 2) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return line === '' ? lines : [...lines, line];
}

/** How kas writes its log: pino JSON lines (production) or pino-pretty's human lines. */
export type LogFormat = 'json' | 'pretty';

/** The log formats `--log-format` accepts. */
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/**
 * `--log-format` when given; else human lines for a person (dev mode, or stdout is a terminal), and
 * JSON otherwise: a production kas, whose stdout is a pipe to a log collector, stays JSON.
 */
export function chooseLogFormat(choice: {
  readonly requested?: LogFormat;
  readonly isDev: boolean;
  readonly isTty: boolean;
}): LogFormat {
  return choice.requested ?? (choice.isDev || choice.isTty ? 'pretty' : 'json');
}

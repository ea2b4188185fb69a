import { CoreError } from '@kas/core';
import type { ConfigErrorCode } from './errorCodes.js';

/** A config file larger than `MAX_CONFIG_FILE_BYTES`, refused before it is parsed. */
export class ConfigTooLargeError extends CoreError<ConfigErrorCode> {
  override readonly name: string = 'ConfigTooLargeError';

  constructor(
    /** The file as the caller named it. */
    readonly file: string,
    /** Its size in bytes (UTF-8). */
    readonly bytes: number,
  ) {
    super(
      'KAS_CONFIG_TOO_LARGE',
      `${file} is ${formatBytes(bytes)}: a config file may be at most 1 MiB`,
      'give the config file itself (not a log or a dump); keep a large value such as a CA bundle in a file of its own and name it by path (e.g. { file: /etc/kas/ca.pem })',
    );
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${bytes} bytes`;
}

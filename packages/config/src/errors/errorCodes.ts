/**
 * Every error code `@kas/config` uses, with what it means. The package README lists the same table; a
 * test keeps the two in step.
 */
export const CONFIG_ERROR_CODES = {
  KAS_CONFIG_ISSUES:
    'a config did not match its schema; the error lists each key path and what was expected (packages pass it on as the cause of their own config error)',
  KAS_CONFIG_TOO_LARGE:
    'a config file is larger than 1 MiB (MAX_CONFIG_FILE_BYTES), refused before it is parsed: give the config file itself, and keep a large value such as a CA bundle in a file it names by path',
} as const;

/** A stable error code of `@kas/config`. */
export type ConfigErrorCode = keyof typeof CONFIG_ERROR_CODES;

import { toMilliseconds } from '@kas/core';
import { InvalidArgumentError } from 'commander';
import type { LintSetting } from '../lint/LintRule.js';

/** Parses a duration option (`3600s`, `75m`, `1h`, or milliseconds). */
export function parseDurationOption(value: string): number {
  try {
    return toMilliseconds(/^\d+$/.test(value) ? Number(value) : (value as `${number}s`), 'duration');
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a duration; write e.g. 3600s, 75m or 1h.`);
  }
}

/** Parses a whole number of 0 or more. */
export function parseCountOption(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a whole number of 0 or more.`);
  return Number(value);
}

/** Collects repeated `--rule CODE=off|warn|error` options into a record. */
export function collectRuleOption(
  value: string,
  previous: Readonly<Record<string, LintSetting>>,
): Record<string, LintSetting> {
  const match = /^([A-Z][A-Z0-9_]*)=(off|warn|error)$/.exec(value);
  if (match === null) {
    throw new InvalidArgumentError(`"${value}" is not CODE=off|warn|error (e.g. KAS_ORPHAN_TAG=error).`);
  }
  return { ...previous, [match[1] as string]: match[2] as LintSetting };
}

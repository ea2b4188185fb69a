import { CoreError } from '@kas/core';
import { type ConfigIssue, describeIssues } from '../configIssues.js';
import type { ConfigErrorCode } from './errorCodes.js';

/**
 * A config that failed its schema: every issue with its key path. `parseConfig` passes it as the
 * `cause` of the package's own error, so an app can point at the file line of each key.
 */
export class ConfigIssuesError extends CoreError<ConfigErrorCode> {
  override readonly name: string = 'ConfigIssuesError';

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(
      'KAS_CONFIG_ISSUES',
      describeIssues(issues),
      'correct each key listed; the message says what each expects',
    );
  }
}

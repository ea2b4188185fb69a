import type { z } from 'zod';
import { listConfigKeys } from './listConfigKeys.js';

/** How `renderConfigReference` lays out the reference. */
export interface ConfigReferenceOptions {
  /** The Markdown heading level of each key. Default 3 (`###`). */
  readonly headingLevel?: number;
  /** The environment variable that overrides a key, when the app has them (`KAS_KUBE_PROXY__LISTEN`). */
  readonly environmentVariable?: (path: readonly string[]) => string;
}

/**
 * A README's configuration reference, generated from a schema so the two cannot drift: a heading per
 * key, `name (type)`, then its default and description in one paragraph (pino's docs style).
 */
export function renderConfigReference(schema: z.ZodType, options: ConfigReferenceOptions = {}): string {
  const hashes = '#'.repeat(options.headingLevel ?? 3);
  return listConfigKeys(schema)
    .map((key) => {
      const name = key.path.join('.');
      const heading = key.isObject ? `${hashes} ${name}` : `${hashes} ${name} (${key.typeLabel})`;
      const environment =
        options.environmentVariable === undefined || key.isObject
          ? []
          : [`Environment: \`${options.environmentVariable(key.path)}\`.`];
      const paragraph = [key.defaultText, key.description ?? '', ...environment]
        .filter((part) => part !== '')
        .join(' ');
      return `${heading}\n\n${paragraph}\n`;
    })
    .join('\n');
}

import type { AppComposition } from '@kas/core';
import { CliError } from '../CliError.js';
import { classifyExport } from './classifyExport.js';

/**
 * The composition a `composeFromConfig` resolved with (`{ composition, ... }`), checked by shape: an
 * entry's own `composeFromConfig` that resolves with something else is the entry's mistake
 * (`KAS_GRAPH_NOT_AN_APP`), not kas-graph's.
 */
export function configuredComposition(configured: unknown, shown: string): AppComposition {
  const composition =
    typeof configured === 'object' && configured !== null
      ? (configured as { composition?: unknown }).composition
      : undefined;
  const which = 'the composition composeFromConfig resolved with';
  if (classifyExport(composition, which, shown) === 'composition') return composition as AppComposition;
  throw new CliError(
    'KAS_GRAPH_NOT_AN_APP',
    `composeFromConfig of ${shown} resolved with ${
      composition === undefined ? 'no composition' : 'a composition that is not an app composition'
    }`,
    "resolve composeFromConfig with { composition: { modules: [...] }, ... } as apps/kas's does, or give apps/kas as the entry",
  );
}

import { type AppComposition, CORE_ERROR_CODES, CoreError } from '@kas/core';
import { analyzeComposition, type CompositionAnalysis } from '@kas/core/analysis';
import { CliError } from '../CliError.js';

/**
 * Resolves a loaded composition. A `CoreError` with one of the core's codes is the user's declaration
 * being wrong (`KAS_GRAPH_INVALID_DECLARATION`); anything else the resolver throws is a bug and is
 * rethrown as it is, for the CLI to report as an internal error.
 */
export function analyzeLoadedComposition(composition: AppComposition): CompositionAnalysis {
  try {
    return analyzeComposition(composition);
  } catch (error) {
    if (error instanceof CoreError && Object.hasOwn(CORE_ERROR_CODES, error.code)) {
      throw new CliError('KAS_GRAPH_INVALID_DECLARATION', error.message, error.fix, { cause: error });
    }
    throw error;
  }
}

import type { AppComposition } from '@kas/core';
import { KasAppError } from '../errors/KasAppError.js';

/**
 * The same composition with every module's factory replaced by one that refuses: a composition made for
 * linting (placeholder secrets, files not read) fails its start with `KAS_LINT_ONLY` before any module
 * binds a port. Declarations (and where they were made) stay as they are.
 */
export function lintOnly(composition: AppComposition): AppComposition {
  return {
    ...composition,
    modules: composition.modules.map((module) => ({
      ...module,
      create: () => {
        throw new KasAppError(
          'KAS_LINT_ONLY',
          `module "${module.name}" belongs to a composition made for linting (no secrets read, placeholder values): it does not start`,
          'run kas with kas --config kas.yaml (or runKas), which composes the same modules with purpose "run"',
        );
      },
    })),
  };
}

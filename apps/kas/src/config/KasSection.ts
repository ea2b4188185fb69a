import type { AnyModule } from '@kas/core';
import type { z } from 'zod';
import type { KasFiles } from './KasFiles.js';
import type { KasConfig } from './kasConfigSchema.js';

/** What a section's `create` may use besides its own value. */
export interface KasSectionContext {
  /**
   * The whole validated config: the app settings (`replica.id`, ...) and every section, typed for the
   * built-in ones. A section reads another's values here (the kube proxy needs the private API's secret).
   */
  readonly config: KasConfig;
  /** Reads the files the config names (lists, secrets), checked with a schema; errors name the key path. */
  readonly files: KasFiles;
}

/**
 * A key of `kas.yaml` and the modules it makes: how a module (built-in, or loaded from `modules:`)
 * contributes to kas. The kas schema is assembled from the sections' schemas (`assembleKasConfigSchema`),
 * so each section's keys are validated, with `file:line:col` and key path, before anything is created.
 *
 * `create` turns the parsed value into modules, usually by calling the module's own factory, which parses
 * its input with the module's schema again (its output is valid input). An error whose `cause` carries
 * config issues (`parseConfig` makes such errors) is reported under this section's key, at its line in
 * the file: the module's own cross-field checks need not be written twice.
 */
export interface KasSection<K extends string = string, S extends z.ZodType = z.ZodType> {
  /** Its key in `kas.yaml` (and `KAS_<KEY>__...` in the environment). */
  readonly key: K;
  /** Validates the section and fills in its defaults; its `.describe()` texts are the README reference. */
  readonly schema: S;
  /** The section's modules, from its parsed value. (A method, so any section fits a list of sections.) */
  create(section: z.output<S>, kas: KasSectionContext): Promise<readonly AnyModule[]>;
}

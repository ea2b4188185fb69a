import { type ConfigIssue, configIssuesOf } from '@kas/config';
import type { AnyModule } from '@kas/core';
import type { KasFiles } from './KasFiles.js';
import type { KasSection } from './KasSection.js';
import type { KasConfig } from './kasConfigSchema.js';
import { invalidConfig } from './loadConfigFile.js';

/** What the sections' modules are created from. */
export interface KasModuleSources {
  readonly config: KasConfig;
  readonly files: KasFiles;
  /** Where a key path was set, for errors (`LoadedConfig.where`). */
  readonly where: (path: readonly PropertyKey[]) => string;
}

/**
 * Each section's modules, in section order. A module that refuses its config (its error's `cause` has
 * config issues) is reported under the section's key, at its place in the file; the problems of every
 * section come in one `KAS_CONFIG_INVALID`. Other errors (an unreadable file) are thrown as they are.
 */
export async function createKasModules(
  sections: readonly KasSection[],
  { config, files, where }: KasModuleSources,
): Promise<AnyModule[]> {
  const modules: AnyModule[] = [];
  const issues: ConfigIssue[] = [];
  for (const section of sections) {
    const value = (config as Readonly<Record<string, unknown>>)[section.key];
    try {
      modules.push(...(await section.create(value, { config, files })));
    } catch (error) {
      const refused = configIssuesOf(error);
      if (refused === undefined) throw error;
      issues.push(
        ...refused.map((issue) => ({ path: [section.key, ...issue.path], message: issue.message })),
      );
    }
  }
  if (issues.length > 0) throw invalidConfig(issues, where);
  return modules;
}

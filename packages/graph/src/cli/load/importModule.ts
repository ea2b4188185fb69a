import { createJiti } from 'jiti';

/**
 * Imports a JS or TS file without a build step. jiti transpiles TypeScript (with decorator metadata)
 * and imports ES modules of packages natively, so `@kas/core` imported by the entry is this same copy.
 */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  const jiti = createJiti(import.meta.url, { interopDefault: false });
  return (await jiti.import(file)) as Record<string, unknown>;
}

/** Imports a package by name as seen from `parent` (a file path). */
export async function importPackage(specifier: string, parent: string): Promise<Record<string, unknown>> {
  const jiti = createJiti(parent, { interopDefault: false });
  return (await jiti.import(specifier)) as Record<string, unknown>;
}

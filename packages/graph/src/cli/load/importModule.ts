import { createJiti } from 'jiti';

/**
 * Thrown for an import that never settles: the imported file (or one it imports) waits on a top-level
 * await that nothing will resolve, and nothing else is left to run. Node would end the process with exit
 * code 13 and print nothing; the `beforeExit` it emits first is the moment to say so.
 */
export class ImportNeverSettledError extends Error {
  override readonly name = 'ImportNeverSettledError';
}

/**
 * Imports a JS or TS file without a build step. jiti transpiles TypeScript (with decorator metadata)
 * and imports ES modules of packages natively, so `@kas/core` imported by the entry is this same copy.
 */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  const jiti = createJiti(import.meta.url, { interopDefault: false });
  return untilSettled(jiti.import(file) as Promise<Record<string, unknown>>, file);
}

/** Imports a package by name as seen from `parent` (a file path). */
export async function importPackage(specifier: string, parent: string): Promise<Record<string, unknown>> {
  const jiti = createJiti(parent, { interopDefault: false });
  return untilSettled(jiti.import(specifier) as Promise<Record<string, unknown>>, specifier);
}

/** `loading`, or an `ImportNeverSettledError` once the process has nothing left to do but wait for it. */
function untilSettled<T>(loading: Promise<T>, imported: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onIdle = () =>
      reject(new ImportNeverSettledError(`importing ${imported} never settled: nothing is left running`));
    process.once('beforeExit', onIdle);
    loading.then(resolve, reject).finally(() => process.off('beforeExit', onIdle));
  });
}

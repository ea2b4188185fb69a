import { KasAppError } from '../errors/KasAppError.js';

/**
 * Imports dev mode's code, which only dev mode runs: a production kas never loads it, and a production
 * install (`npm ci --omit=dev`) does not have the devDependencies it needs. There, `--dev` is refused with
 * `KAS_DEV_UNAVAILABLE`.
 */
export async function loadDevMode(): Promise<typeof import('./devMode.js')> {
  try {
    return await import('./devMode.js');
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new KasAppError(
      'KAS_DEV_UNAVAILABLE',
      `--dev needs kas's devDependencies (the fake Kubernetes API, agentk, the dev certificates), and this install has none: ${(error as Error).message}`,
      'run dev mode from a clone of the repository (npm install && npm start); a production install runs kas --config kas.yaml',
      { cause: error },
    );
  }
}

import type { AnyModule } from '@kas/core';
import { devAgentModule, devKubeApiModule } from './devModules.js';
import { prepareDevFiles } from './prepareDevFiles.js';

/** What `kas --dev` runs: its throwaway files, and the modules it adds to kas. */
export interface DevMode {
  readonly directory: string;
  readonly configPath: string;
  /** A fake Kubernetes API and a dev agent serving it, in this process. */
  readonly modules: readonly AnyModule[];
}

/**
 * Writes dev mode's throwaway files into `directory` and makes its modules. This file and what it imports
 * (the fake Kubernetes API, agentk, the dev certificates) are devDependencies of kas: `loadDevMode`
 * imports it only in dev mode, and a production install does not have them.
 */
export async function prepareDevMode(directory: string): Promise<DevMode> {
  const files = await prepareDevFiles(directory);
  return {
    directory: files.directory,
    configPath: files.configPath,
    modules: [devKubeApiModule(), devAgentModule(files.agent)],
  };
}

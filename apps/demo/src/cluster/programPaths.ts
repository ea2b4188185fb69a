import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DemoError } from '../errors/DemoError.js';

const require = createRequire(import.meta.url);

/** The built entry points of the programs a local cluster runs as processes. */
export interface ProgramPaths {
  readonly kas: string;
  readonly agentk: string;
  readonly fakeKubeApi: string;
  readonly kasGraph: string;
}

/** Finds the built `main.js` of kas, agentk, fake-kube-api and kas-graph through the workspace packages. */
export function programPaths(): ProgramPaths {
  const paths = {
    kas: join(distOf('@kas/kas'), 'main.js'),
    agentk: join(distOf('@kas/agentk'), 'cli', 'main.js'),
    fakeKubeApi: join(distOf('@kas/fake-kube-api'), 'cli', 'main.js'),
    kasGraph: join(distOf('@kas/graph'), 'cli', 'main.js'),
  };
  for (const path of Object.values(paths)) if (!existsSync(path)) throw notBuilt(path);
  return paths;
}

function distOf(name: string): string {
  try {
    return dirname(require.resolve(name));
  } catch (error) {
    throw notBuilt(name, error);
  }
}

function notBuilt(what: string, cause?: unknown): DemoError {
  return new DemoError(
    'KAS_DEMO_NOT_BUILT',
    `${what} is not built`,
    'run `npx turbo run build --filter=@kas/demo...` at the repository root (npm run demo does it)',
    { cause },
  );
}

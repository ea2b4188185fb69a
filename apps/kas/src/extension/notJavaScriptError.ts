import { isAbsolute, relative, sep } from 'node:path';
import { KasAppError } from '../errors/KasAppError.js';
import type { EntryPlace } from './readEntryExports.js';

/** TypeScript's extensions, with the extension its compiler gives the built file. */
const BUILT_EXTENSIONS: Readonly<Record<string, string>> = {
  '.ts': '.js',
  '.tsx': '.js',
  '.mts': '.mjs',
  '.cts': '.cjs',
};

/**
 * The error for an entry Node cannot import for its file extension (`ERR_UNKNOWN_FILE_EXTENSION`), usually
 * a module's TypeScript source (`./src/index.ts`) named instead of its build: kas loads JavaScript. Says
 * which file it is (the entry, or a file it imports) and what to name instead: the built file (`dist/...`)
 * or the package folder. `baseDirectory` is the config file's directory.
 */
export function notJavaScriptError(
  error: Error,
  file: string,
  place: EntryPlace,
  baseDirectory: string,
): KasAppError {
  const [, extension = '', failed = file] =
    /Unknown file extension "([^"]*)" for (.+)$/.exec(error.message) ?? [];
  const isTypeScript = extension in BUILT_EXTENSIONS;
  const what = isTypeScript ? 'TypeScript source' : `a "${extension}" file`;
  const isEntry = failed === file;
  return new KasAppError(
    'KAS_MODULE_NOT_FOUND',
    `${place.named} cannot be loaded: ${isEntry ? `${file} is ${what}` : `${file} imports ${failed}, ${what}`}, and kas loads JavaScript (.js, .mjs or .cjs)`,
    fixFor(isTypeScript, isEntry, builtFile(place.specifier, file, baseDirectory)),
    { cause: error },
  );
}

function fixFor(isTypeScript: boolean, isEntry: boolean, built: string): string {
  const build = 'build the module (npm run build in its package)';
  const folder = 'its package folder (whose package.json names the built entry)';
  if (!isTypeScript) return `name a JavaScript file under modules:, or ${folder}`;
  if (!isEntry)
    return `${build} so that its built files import only JavaScript, or report this to its author`;
  return `${build}, then name its built file under modules: (e.g. ${built}, where its tsconfig's outDir puts it), or ${folder}`;
}

/** Where a TypeScript source's build usually is, as a `modules:` entry: `./src/index.ts` → `./dist/index.js`. */
function builtFile(specifier: string, file: string, baseDirectory: string): string {
  const source = specifier.startsWith('.') ? specifier : relative(baseDirectory, file);
  const path = source
    .replace(/(^|[\\/])src[\\/]/, `$1dist${sep}`)
    .replace(/\.[cm]?tsx?$/, (found) => BUILT_EXTENSIONS[found] ?? '.js');
  return path.startsWith('.') || isAbsolute(path) ? path : `./${path}`;
}

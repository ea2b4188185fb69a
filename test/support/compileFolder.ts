import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Compiles every `.ts` file in `directory` (a folder next to examples/audit-sink, so imports resolve as a
 * module author's do) with tsc and the example's settings: resolves with tsc's findings, '' when none.
 */
export async function compileFolder(directory: string): Promise<string> {
  await writeFile(
    join(directory, 'tsconfig.json'),
    JSON.stringify({
      extends: '../tsconfig.json',
      compilerOptions: { rootDir: '.', noEmit: true },
      include: ['*.ts'],
    }),
  );
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', directory, '--pretty', 'false']);
    return '';
  } catch (error) {
    return (error as { stdout?: string }).stdout || String(error);
  }
}

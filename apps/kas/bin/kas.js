#!/usr/bin/env node
// A committed launcher: npm links a bin only if its file exists at install time, and dist/ is built later.
const main = new URL('../dist/main.js', import.meta.url);
try {
  await import(main.href);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('dist/main.js')) throw error;
  process.stderr.write('kas is not built yet: run `npm run build` (or `npm test`) at the repository root\n');
  process.exitCode = 2;
}

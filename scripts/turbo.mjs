#!/usr/bin/env node
// The workspace's turbo with its telemetry off, for the root scripts: `npm start` and `npm test` print no
// telemetry notice, on any machine, without anyone opting out in their own config. turbo reads the setting
// from the environment only (TURBO_TELEMETRY_DISABLED), and `VAR=1 turbo` is not portable (Windows), so
// this sets it and runs turbo with the arguments it was given.
//
// Usage: node scripts/turbo.mjs run build --filter=@kas/kas...
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';

const turbo = createRequire(import.meta.url).resolve('turbo/bin/turbo');
const child = spawn(process.execPath, [turbo, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
});
// Ctrl-C reaches turbo too (same process group): wait for it to end and report how.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});
child.on('exit', (code, signal) => {
  process.exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
});

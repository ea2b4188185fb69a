#!/usr/bin/env node
// A stop signal must never kill kas by its default action (exit 143, no log line), not even while it
// loads: reading config, files and modules takes a moment before `app.run()` installs the runner's own
// handlers. These go in first, before anything else is imported (this file has no static import); a
// signal received meanwhile ends kas once loading is done, with nothing started (exit 0). They stay until
// the runner's take over, or until a kas that did not start has exited. Only Node's own start-up runs
// before this line: a signal then ends the process as it ends any Node program (the README says so).
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
let signalWhileLoading: NodeJS.Signals | undefined;
const onSignalWhileLoading = (signal: NodeJS.Signals) => {
  signalWhileLoading ??= signal;
};
for (const signal of STOP_SIGNALS) process.on(signal, onSignalWhileLoading);

// Stack frames point at the TypeScript sources (dist/x.js -> src/x.ts, through the maps the build emits and
// dist/ ships). Only files loaded after this line are mapped, hence before the import below. A map is read
// when its file loads; a stack is mapped only when it is formatted (an error logged with its stack), so
// requests pay nothing for it.
process.setSourceMapsEnabled(true);

const { runMain } = await import('./runMain.js');
await runMain({
  signalWhileLoading: () => signalWhileLoading,
  release: () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignalWhileLoading);
  },
});

#!/usr/bin/env node
import { pino } from 'pino';
import { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import { startFakeKubeApi } from '../server/startFakeKubeApi.js';
import { parseCliOptions } from './parseCliOptions.js';

// `fake-kube-api`: runs the fake until SIGTERM or SIGINT, then stops it and lets the process end.
const log = pino({ level: 'info' }, pino.destination({ sync: true })); // lines in order
try {
  const options = await parseCliOptions(process.argv.slice(2));
  log.level = options.logLevel;
  const api = await startFakeKubeApi({ ...options.server, log });
  const stop = (signal: NodeJS.Signals) => {
    log.info({ module: 'fake-kube-api', event: 'signal.received', signal }, `${signal} received: stopping`);
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    void api.stop();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error) {
  const fields =
    error instanceof FakeKubeApiError ? { code: error.code, fix: error.fix, err: error } : { err: error };
  log.fatal(
    { module: 'fake-kube-api', event: 'server.startFailed', ...fields },
    `cannot start: ${String(error)}`,
  );
  process.exitCode = 1;
}

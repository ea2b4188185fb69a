import { type FileHandle, open } from 'node:fs/promises';
import { createModuleRef, defineModule } from '@kas/core';
import { AGENT_TUNNELS, KasActivityToken } from '@kas/kas';
import { type AuditSinkConfig, auditSinkConfigSchema } from './auditSinkConfigSchema.js';

/** The module's name, for other modules' declarations and for overrides. */
export const AUDIT_SINK = createModuleRef('audit-sink');

/**
 * An audit sink: appends every agent connect and disconnect and every finished kube proxy request to a
 * file (JSON lines), buffered and written every `flushIntervalMs`; its stop writes what is left, syncs and
 * closes the file. A cut stop (its signal fired, before or during the stop) still writes what is left,
 * but does not wait for the sync.
 */
export function auditSinkModule(input: AuditSinkConfig) {
  const config = auditSinkConfigSchema.parse(input);
  return defineModule({
    name: AUDIT_SINK,
    observes: [AGENT_TUNNELS], // it records what happens on agents' tunnels: connects, proxied requests
    stop: { last: true }, // and keeps recording until every module serving them has stopped (their drains too)
    drainBudget: '10s', // the last write and fsync
    needs: { activity: KasActivityToken }, // provided by kas itself: no start dependency on any module
    create: ({ activity, log }) => {
      let file: FileHandle | undefined;
      let pending: string[] = [];
      let written = 0;
      let writing = Promise.resolve();
      let timer: NodeJS.Timeout | undefined;
      let unsubscribe = () => {};
      /** Writes what is buffered, after any write in progress: records stay in order. */
      const flush = () => {
        writing = writing.then(async () => {
          if (file === undefined || pending.length === 0) return;
          const lines = pending;
          pending = [];
          await file.appendFile(lines.join(''));
          written += lines.length;
        });
        return writing;
      };
      return {
        async start() {
          file = await open(config.file, 'a');
          unsubscribe = activity.subscribe((event) => {
            pending.push(`${JSON.stringify({ at: new Date().toISOString(), ...event })}\n`);
          });
          timer = setInterval(() => {
            flush().catch((error: unknown) => log.error({ err: error }, 'writing audit records failed'));
          }, config.flushIntervalMs);
          log.info({ event: 'audit.opened', file: config.file }, `audit records go to ${config.file}`);
        },
        async stop(ctx) {
          unsubscribe();
          clearInterval(timer);
          const buffered = pending.length;
          await flush(); // a cut stop writes what it holds too: one write, where dropping it loses records
          // Cut (its budget, a second signal, the deadline): no fsync, which a slow disk can hold for
          // long; the records are with the operating system, which writes them out after kas exits.
          const isSynced = !ctx.signal.aborted;
          if (isSynced) await file?.sync();
          await file?.close();
          ctx.mark('audit.flushed', { buffered, written, isSynced });
          log.info(
            { event: 'audit.flushed', buffered, written, isSynced, file: config.file },
            `audit sink flushed: ${buffered} buffered record(s) written, ${written} in all${isSynced ? '' : ' (cut: not synced)'}`,
          );
        },
      };
    },
  });
}

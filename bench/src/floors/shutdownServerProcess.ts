/**
 * A bare grpc-js hold server in a fresh process of its own that is shut down once, as a kas replica is:
 * its `tryShutdown` runs cold (nothing of it compiled or optimized before), where a server in the
 * benchmark's process runs it warm after the first run. Announces `{ type: 'listening', address }`;
 * answers `clock` with its wall clock, and `tryShutdown` with the wall-clock time of the call.
 */
import { wallNow } from './IdleStreamClients.js';
import type { ShutdownServerCommand, ShutdownServerReply } from './idleStreamMessages.js';
import { startHoldServer } from './startHoldServer.js';

const server = await startHoldServer();
const reply = (message: ShutdownServerReply) => process.send?.(message);
process.on('message', (command: ShutdownServerCommand) => {
  if (command.type === 'clock') reply({ type: 'clock', wallMs: wallNow() });
  else if (command.type === 'tryShutdown') {
    const calledAtMs = wallNow();
    void server.tryShutdown();
    reply({ type: 'tryShutdownCalled', wallMs: calledAtMs });
  }
});
reply({ type: 'listening', address: server.address });
process.on('disconnect', () => process.exit(0));

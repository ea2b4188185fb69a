/**
 * A bare grpc-js hold server in a process of its own (the replica agents move to, in the reconnect
 * floor): announces `{ type: 'listening', address }` over IPC and holds every stream until it is killed.
 */
import { startHoldServer } from './startHoldServer.js';

const server = await startHoldServer();
process.send?.({ type: 'listening', address: server.address });
process.on('disconnect', () => process.exit(0));

/**
 * A child process of the benchmarks holding idle gRPC streams: N connections (each its own, as agents
 * have), K bidirectional streams on each, each stream sending one first message and then nothing. It
 * reports when every stream is live (the server sent response metadata) and when each connection's
 * channel leaves READY (GOAWAY), on the wall clock with sub-millisecond precision.
 */
import {
  type Client,
  type ClientDuplexStream,
  connectivityState,
  credentials,
  Client as GrpcClient,
  Metadata,
} from '@grpc/grpc-js';
import type { IdleClientsCommand, IdleClientsReply } from './idleStreamMessages.js';

/** Connections opened at once; the next batch waits until this one is live (no SYN backlog overflow). */
const BATCH = 250;

/** Channel settings of an agentk connection (KasConnection), so the server sees what agents send it. */
const CHANNEL_OPTIONS = {
  'grpc.use_local_subchannel_pool': 1,
  'grpc.max_send_message_length': 4 * 1024 * 1024,
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.enable_retries': 0,
  'grpc.enable_channelz': 0,
} as const;

interface HeldConnection {
  readonly client: Client;
  readonly calls: ClientDuplexStream<Buffer, Buffer>[];
}

const held: HeldConnection[] = [];
const leftReadyAt: number[] = [];
let isClosing = false;
let pendingLeftReady: (() => void) | undefined;

const wallNow = () => performance.timeOrigin + performance.now();
const reply = (message: IdleClientsReply) => process.send?.(message);
const identity = (bytes: Buffer) => bytes;

function openConnection(command: Extract<IdleClientsCommand, { type: 'open' }>, index: number) {
  const client = new GrpcClient(command.address, credentials.createInsecure(), CHANNEL_OPTIONS);
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${command.tokenPrefix}${index}`);
  const firstMessage = Buffer.from(command.firstMessage, 'base64');
  const connection: HeldConnection = { client, calls: [] };
  const live = Array.from({ length: command.streamsPerConnection }, () => {
    const call = client.makeBidiStreamRequest(command.path, identity, identity, metadata.clone());
    connection.calls.push(call);
    call.on('error', () => {}); // 'status' reports every ending
    call.write(firstMessage);
    return new Promise<void>((resolve, reject) => {
      call.once('metadata', () => resolve());
      call.once('status', (status) =>
        reject(new Error(`stream ${index} ended before it was live: ${status.code} ${status.details}`)),
      );
    });
  });
  held.push(connection);
  return Promise.all(live).then(() => watchLeavingReady(client));
}

function watchLeavingReady(client: Client): void {
  const channel = client.getChannel();
  const watch = (state: connectivityState) =>
    channel.watchConnectivityState(state, Number.POSITIVE_INFINITY, () => {
      const next = channel.getConnectivityState(false);
      if (isClosing || next === connectivityState.SHUTDOWN) return;
      if (state === connectivityState.READY && next !== connectivityState.READY) {
        leftReadyAt.push(wallNow());
        if (leftReadyAt.length === held.length) pendingLeftReady?.();
        return;
      }
      watch(next);
    });
  watch(channel.getConnectivityState(false));
}

async function open(command: Extract<IdleClientsCommand, { type: 'open' }>): Promise<void> {
  const startedAt = performance.now();
  for (let done = 0; done < command.connections; done += BATCH) {
    const batch = Math.min(BATCH, command.connections - done);
    const first = held.length;
    await Promise.all(Array.from({ length: batch }, (_, offset) => openConnection(command, first + offset)));
  }
  reply({
    type: 'opened',
    connections: held.length,
    streams: held.reduce((sum, connection) => sum + connection.calls.length, 0),
    elapsedMs: performance.now() - startedAt,
  });
}

async function awaitLeftReady(timeoutMs: number): Promise<void> {
  if (leftReadyAt.length < held.length) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      pendingLeftReady = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    pendingLeftReady = undefined;
  }
  reply({ type: 'leftReady', wallMs: [...leftReadyAt], connections: held.length });
}

function closeAll(): void {
  isClosing = true;
  for (const connection of held.splice(0)) {
    for (const call of connection.calls) call.cancel();
    connection.client.close();
  }
  leftReadyAt.length = 0;
  isClosing = false;
  reply({ type: 'closed' });
}

process.on('message', (command: IdleClientsCommand) => {
  const handled = (async () => {
    switch (command.type) {
      case 'open':
        return open(command);
      case 'clock':
        return reply({ type: 'clock', wallMs: wallNow() });
      case 'awaitLeftReady':
        return awaitLeftReady(command.timeoutMs);
      case 'closeAll':
        return closeAll();
      default: {
        const unhandled: never = command;
        throw new Error(`unknown command ${JSON.stringify(unhandled)}`);
      }
    }
  })();
  handled.catch((error: unknown) => reply({ type: 'error', message: String(error) }));
});
process.on('disconnect', () => process.exit(0));

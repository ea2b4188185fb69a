/**
 * A child process of the benchmarks holding idle gRPC streams: N connections (each its own, as agents
 * have), K bidirectional streams on each, each stream sending one first message and then nothing. It
 * reports when every stream is live (the server sent response metadata) and when each connection's
 * channel leaves READY (GOAWAY), on the wall clock with sub-millisecond precision. Told to, it moves each
 * connection to another server on GOAWAY (streams cancelled, a new connection with as many streams opened
 * on a later turn of the event loop, one connection per turn) and reports when each replacement is live.
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
const replacedAt: number[] = [];
/** Connections opened by `open` (replacements not counted): each leaves READY once, and is replaced once. */
let originalCount = 0;
let isClosing = false;
let pendingLeftReady: (() => void) | undefined;
let pendingReplaced: (() => void) | undefined;

const wallNow = () => performance.timeOrigin + performance.now();
const reply = (message: IdleClientsReply) => process.send?.(message);
const identity = (bytes: Buffer) => bytes;

type OpenCommand = Extract<IdleClientsCommand, { type: 'open' }>;

function openConnection(command: OpenCommand, index: number, token: string, address = command.address) {
  const client = new GrpcClient(address, credentials.createInsecure(), CHANNEL_OPTIONS);
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
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
  return { connection, live: Promise.all(live) };
}

function watchLeavingReady(client: Client, onLeft?: () => void): void {
  const channel = client.getChannel();
  const watch = (state: connectivityState) =>
    channel.watchConnectivityState(state, Number.POSITIVE_INFINITY, () => {
      const next = channel.getConnectivityState(false);
      if (isClosing || next === connectivityState.SHUTDOWN) return;
      if (state === connectivityState.READY && next !== connectivityState.READY) {
        leftReadyAt.push(wallNow());
        if (leftReadyAt.length === originalCount) pendingLeftReady?.();
        onLeft?.();
        return;
      }
      watch(next);
    });
  watch(channel.getConnectivityState(false));
}

/** Replacements waiting for their turn: one per event-loop turn, as agentk's TurnQueue paces them. */
const replacements: (() => void)[] = [];
let isReplacing = false;

function replaceNext(): void {
  const next = replacements.shift();
  if (next === undefined) {
    isReplacing = false;
    return;
  }
  next();
  setImmediate(replaceNext);
}

/** The agent's move: its streams go at once, and on a later turn it connects to the other server. */
function replace(
  command: OpenCommand,
  index: number,
  token: string,
  old: HeldConnection,
  address: string,
): void {
  for (const call of old.calls) call.cancel();
  replacements.push(() => {
    if (isClosing) return;
    old.client.close();
    const { live } = openConnection(command, index, token, address);
    live.then(
      () => {
        replacedAt.push(wallNow());
        if (replacedAt.length === originalCount) pendingReplaced?.();
      },
      () => {},
    );
  });
  if (!isReplacing) {
    isReplacing = true;
    setImmediate(replaceNext);
  }
}

async function open(command: OpenCommand): Promise<void> {
  const startedAt = performance.now();
  for (let done = 0; done < command.connections; done += BATCH) {
    const batch = Math.min(BATCH, command.connections - done);
    const first = originalCount;
    originalCount += batch;
    await Promise.all(
      Array.from({ length: batch }, (_, offset) => {
        const index = first + offset;
        const token = command.tokens?.[done + offset] ?? `${command.tokenPrefix}${index}`;
        const { connection, live } = openConnection(command, index, token);
        const reconnectTo = command.reconnectTo;
        return live.then(() =>
          watchLeavingReady(
            connection.client,
            reconnectTo === undefined
              ? undefined
              : () => replace(command, index, token, connection, reconnectTo),
          ),
        );
      }),
    );
  }
  reply({
    type: 'opened',
    connections: held.length,
    streams: held.reduce((sum, connection) => sum + connection.calls.length, 0),
    elapsedMs: performance.now() - startedAt,
  });
}

async function awaitLeftReady(timeoutMs: number): Promise<void> {
  if (leftReadyAt.length < originalCount) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      pendingLeftReady = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    pendingLeftReady = undefined;
  }
  reply({ type: 'leftReady', wallMs: [...leftReadyAt], connections: originalCount });
}

async function awaitReplaced(timeoutMs: number): Promise<void> {
  if (replacedAt.length < originalCount) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      pendingReplaced = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    pendingReplaced = undefined;
  }
  reply({ type: 'replaced', wallMs: [...replacedAt], connections: originalCount });
}

function closeAll(): void {
  isClosing = true;
  replacements.length = 0;
  for (const connection of held.splice(0)) {
    for (const call of connection.calls) call.cancel();
    connection.client.close();
  }
  leftReadyAt.length = 0;
  replacedAt.length = 0;
  originalCount = 0;
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
      case 'awaitReplaced':
        return awaitReplaced(command.timeoutMs);
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

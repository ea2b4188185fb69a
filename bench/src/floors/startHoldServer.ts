import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServiceDefinition,
} from '@grpc/grpc-js';

/** The one method of the bare server: a bidirectional stream of opaque bytes. */
export const HOLD_METHOD_PATH = '/kas.bench.v1.Hold/Hold';

/**
 * Transport settings kas's agent gRPC server uses (4 MiB messages, keepalive every 30 s, channelz off);
 * the bare server uses the same, so a comparison measures kas's own work and nothing grpc-js does
 * differently by configuration.
 */
export const KAS_LIKE_SERVER_OPTIONS = {
  'grpc.max_send_message_length': 4 * 1024 * 1024,
  'grpc.max_receive_message_length': 8 * 1024 * 1024,
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  'grpc.enable_channelz': 0,
} as const;

/** A bare grpc-js server that holds every stream opened to it, idle. */
export interface HoldServer {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** Streams held right now. */
  streamCount(): number;
  /** `tryShutdown`: GOAWAY on every connection; resolves when the last stream has ended. */
  tryShutdown(): Promise<void>;
  /** Cuts everything. */
  forceShutdown(): void;
}

type HoldCall = ServerDuplexStream<Buffer, Buffer>;

const identity = (bytes: Buffer) => bytes;

const HOLD_SERVICE: ServiceDefinition = {
  hold: {
    path: HOLD_METHOD_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/**
 * Starts the bare server on 127.0.0.1, port 0. Like kas with a tunnel, it answers a stream's first
 * message with response metadata (the client counts the stream live then), keeps the stream open while
 * the client does, and ends it when the client half-closes.
 */
export async function startHoldServer(): Promise<HoldServer> {
  const server = new Server(KAS_LIKE_SERVER_OPTIONS);
  const calls = new Set<HoldCall>();
  server.addService(HOLD_SERVICE, {
    hold: (call: HoldCall) => {
      calls.add(call);
      call.once('data', () => call.sendMetadata(new Metadata()));
      call.on('end', () => call.end());
      call.on('error', () => {});
      call.on('close', () => calls.delete(call));
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    streamCount: () => calls.size,
    tryShutdown: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
    forceShutdown: () => server.forceShutdown(),
  };
}

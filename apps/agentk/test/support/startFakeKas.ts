import {
  Metadata,
  Server,
  ServerCredentials,
  type ServerDuplexStream,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { eventually } from '@kas/testkit';
import {
  type AgentMessage,
  createReverseTunnelMethod,
  type KasTunnelMessage,
  type RequestFrame,
  UndecodableMessage,
} from '@kas/tunnel-protocol';

/** One tunnel an agent opened to the fake kas. */
export interface FakeKasTunnel {
  /** What the agent sent after its descriptor, heartbeats left out. */
  readonly answers: AgentMessage[];
  /** Writes a frame as kas would; false when the call wants the writer to wait for 'drain'. */
  send(frame: RequestFrame): boolean;
  /** Waits for the agent's first answer with an error or a head. */
  answer(): Promise<AgentMessage>;
  /** Resolves when the agent has closed its half of the call. */
  readonly agentEnded: Promise<void>;
  /** Ends the call with status OK, as kas does once the agent closed its half. */
  end(): void;
}

/**
 * A kas that does what the test says instead of what kas does: it accepts `Connect` calls, registers
 * each tunnel (empty response metadata, no heartbeats) unless `isRegistering` is false, and lets the test
 * write any frame, valid or not, on a tunnel it takes. Like kas, it ends a call with OK after an error
 * frame and when the agent closes its half.
 */
export interface FakeKas {
  readonly address: string;
  /** The next registered tunnel no test took yet. */
  take(): Promise<FakeKasTunnel>;
  close(): Promise<void>;
}

type ConnectCall = ServerDuplexStream<AgentMessage | UndecodableMessage, KasTunnelMessage>;

export async function startFakeKas(
  options: {
    readonly isRegistering?: boolean;
    /** Default true: end each call as soon as the agent closed its half; false: the test calls `end()`. */
    readonly endsWhenAgentEnds?: boolean;
  } = {},
): Promise<FakeKas> {
  const method = createReverseTunnelMethod(4 * 1024 * 1024);
  const ready: FakeKasTunnel[] = [];
  const server = new Server();
  server.addService({ connect: method } as unknown as ServiceDefinition, {
    connect: (call: ConnectCall) => {
      call.on('error', () => {});
      const agentEnded = new Promise<void>((resolve) => call.once('end', () => resolve()));
      // The agent closed its half (an idle tunnel at stop): done.
      if (options.endsWhenAgentEnds !== false) call.on('end', () => call.end());
      if (options.isRegistering === false) {
        call.on('data', () => {});
        return;
      }
      call.sendMetadata(new Metadata());
      const answers: AgentMessage[] = [];
      const tunnel: FakeKasTunnel = {
        answers,
        send: (frame) => call.write(frame),
        agentEnded,
        end: () => call.end(),
        answer: () =>
          eventually(
            () =>
              answers.find((message) => message.error !== undefined || message.head !== undefined) ?? false,
          ),
      };
      call.on('data', (message: AgentMessage | UndecodableMessage) => {
        if (message instanceof UndecodableMessage || message.heartbeat) return;
        if (message.descriptor !== undefined) ready.push(tunnel);
        else answers.push(message);
        if (message.error !== undefined) call.end(); // as kas does after an error frame
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    take: async () => {
      await eventually(() => ready.length > 0);
      return ready.shift() as FakeKasTunnel;
    },
    close: async () => server.forceShutdown(),
  };
}

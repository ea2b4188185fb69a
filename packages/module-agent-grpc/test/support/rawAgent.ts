import {
  Client,
  type ClientDuplexStream,
  type connectivityState,
  credentials,
  Metadata,
  type StatusObject,
} from '@grpc/grpc-js';
import {
  type AgentDescriptor,
  type AgentMessage,
  createReverseTunnelMethod,
  EMPTY_BODY,
  type RequestFrame,
  type UndecodableMessage,
} from '@kas/tunnel-protocol';

const method = createReverseTunnelMethod(4 * 1024 * 1024);

/** One Connect call opened by hand, to drive the protocol frame by frame (and break it). */
/** An agent message as tests write it: `heartbeat`/`heartbeats` may be left out (they encode as false). */
export type RawAgentMessage = Omit<AgentMessage, 'heartbeat' | 'descriptor'> & {
  readonly heartbeat?: boolean;
  readonly descriptor?: Omit<AgentDescriptor, 'heartbeats'> & { readonly heartbeats?: boolean };
};

export interface RawTunnel {
  readonly call: ClientDuplexStream<RawAgentMessage | Buffer, RequestFrame | UndecodableMessage>;
  /** Resolves when kas registered the tunnel (it sent response metadata). */
  readonly registered: Promise<void>;
  /** Resolves with the call's final status, whatever it is. */
  readonly status: Promise<StatusObject>;
  /** The next request frame kas sends. */
  nextFrame(): Promise<RequestFrame>;
  /**
   * Sends the descriptor, as an agent does first; `idleTunnels`: how many idle tunnels it says it keeps;
   * `upgrades`: whether it says it carries upgraded connections (agents before tunnel protocol 1.1 do not).
   */
  sendDescriptor(idleTunnels?: number, upgrades?: boolean): void;
}

/** A gRPC connection of its own (a local subchannel pool), like one agent's. */
export function connectRawAgent(address: string): Client {
  return new Client(address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
}

/** Opens a tunnel; `token` undefined sends no authorization at all. Raw Buffers are written as they are. */
export function openRawTunnel(client: Client, token: string | undefined): RawTunnel {
  const metadata = new Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  const call = client.makeBidiStreamRequest<RawAgentMessage | Buffer, RequestFrame | UndecodableMessage>(
    method.path,
    (message) => (Buffer.isBuffer(message) ? message : method.requestSerialize(message as AgentMessage)),
    method.responseDeserialize as (bytes: Buffer) => RequestFrame | UndecodableMessage,
    metadata,
  );
  call.on('error', () => {}); // the status promise reports it
  const status = new Promise<StatusObject>((resolve) => call.on('status', resolve));
  const registered = new Promise<void>((resolve) => call.once('metadata', () => resolve()));
  const queue: RequestFrame[] = [];
  const waiting: ((frame: RequestFrame) => void)[] = [];
  call.on('data', (frame: RequestFrame) => {
    const waiter = waiting.shift();
    if (waiter === undefined) queue.push(frame);
    else waiter(frame);
  });
  return {
    call,
    registered,
    status,
    nextFrame: () => {
      const frame = queue.shift();
      return frame === undefined ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve(frame);
    },
    sendDescriptor: (idleTunnels = 0, upgrades = false) => {
      call.write({
        descriptor: { services: ['kubernetes-api'], agentVersion: 'test', idleTunnels, upgrades },
        body: EMPTY_BODY,
        end: false,
      });
    },
  };
}

/** Opens a tunnel and waits until kas registered it. */
export async function openRegisteredTunnel(
  client: Client,
  token: string,
  idleTunnels = 0,
  upgrades = false,
): Promise<RawTunnel> {
  const tunnel = openRawTunnel(client, token);
  tunnel.sendDescriptor(idleTunnels, upgrades);
  await tunnel.registered;
  return tunnel;
}

/** Resolves when the client's channel leaves `from` (e.g. READY, at GOAWAY). */
export function channelLeaves(client: Client, from: connectivityState): Promise<connectivityState> {
  const channel = client.getChannel();
  return new Promise((resolve) => {
    const watch = () =>
      channel.watchConnectivityState(channel.getConnectivityState(false), Number.POSITIVE_INFINITY, () => {
        const state = channel.getConnectivityState(false);
        if (state !== from) resolve(state);
        else watch();
      });
    watch();
  });
}

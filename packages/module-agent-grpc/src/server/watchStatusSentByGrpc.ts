import type { ServerHttp2Stream } from 'node:http2';
import { status } from '@grpc/grpc-js';
import type { TunnelCall } from './ServerTunnel.js';

/** The name of a gRPC status code, as grpc-js's `status` enum spells it. */
export type GrpcStatusName = keyof typeof status;

/** A status grpc-js sent on a call by itself. */
export interface StatusSentByGrpc {
  readonly code: status;
  /** `RESOURCE_EXHAUSTED`. */
  readonly name: GrpcStatusName;
  /** `Received message larger than max (614404 vs 524288)`. */
  readonly details: string;
}

/**
 * For a call grpc-js reported `cancelled`: says whether grpc-js ended it by itself, and calls `onSent`
 * with the status once it has left. grpc-js refuses a message over `grpc.max_receive_message_length` in
 * its decoder and sends RESOURCE_EXHAUSTED past every handler and interceptor: they see only a
 * cancellation, as if the agent had cancelled the call, and often before the status has even left (it
 * waits behind the stream's pending data). Only the HTTP/2 stream tells the two apart: one the agent
 * reset (or whose connection went) is closed by the time the call is cancelled, one grpc-js is ending is
 * still open, or already carries the status in its trailers. The stream is private to grpc-js
 * (`call.call.stream`, grpc-js 1.14): a version that moves it makes this return false, and such tunnels
 * count as cancelled again (protocol.test.ts then fails).
 */
export function watchStatusSentByGrpc(call: TunnelCall, onSent: (sent: StatusSentByGrpc) => void): boolean {
  const stream = (call as unknown as { call?: { stream?: Partial<ServerHttp2Stream> } }).call?.stream;
  if (stream === undefined || typeof stream.once !== 'function') return false;
  const sent = readSentStatus(stream);
  if (sent !== undefined) {
    onSent(sent);
    return true;
  }
  if (stream.closed !== false) return false;
  stream.once('close', () => {
    const later = readSentStatus(stream);
    if (later !== undefined) onSent(later);
  });
  return true;
}

/** The non-OK status in what the stream sent: its trailers, or a trailers-only response's headers. */
function readSentStatus(stream: Partial<ServerHttp2Stream>): StatusSentByGrpc | undefined {
  const sent = stream.sentTrailers ?? stream.sentHeaders;
  const code = Number(sent?.['grpc-status']);
  const name = status[code] as GrpcStatusName | undefined;
  if (sent === undefined || name === undefined || code === status.OK) return undefined;
  const message = sent['grpc-message'];
  return { code, name, details: typeof message === 'string' ? decodeGrpcMessage(message) : '' };
}

/** grpc-js sends `grpc-message` through encodeURI. */
function decodeGrpcMessage(text: string): string {
  try {
    return decodeURI(text);
  } catch {
    return text;
  }
}

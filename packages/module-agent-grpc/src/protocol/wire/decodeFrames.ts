import type {
  Header,
  RequestFrame,
  RequestHead,
  ResponseError,
  ResponseFrame,
  ResponseHead,
} from '../../proto/generated/kas/http/v1/http.js';
import { AgentDescriptor, type AgentMessage } from '../../proto/generated/kas/tunnel/v1/tunnel.js';
import { EMPTY_BODY } from '../emptyBody.js';
import { WireReader } from './WireReader.js';

// Hand-written decoders of the frame messages, for the same objects the generated (ts-proto) decoders
// make (same fields, same defaults, `bytes` as views of the input). Unknown fields are skipped; a field
// that is repeated although singular keeps its last value, as in the generated code. Truncated data,
// field number 0 and group wire types throw, and the deserializer turns that into KAS_FRAME_MALFORMED.

/** Decodes a `kas.http.v1.RequestFrame`. */
export function decodeRequestFrame(bytes: Uint8Array): RequestFrame {
  const reader = new WireReader(bytes, 0, bytes.length);
  const frame: RequestFrame = { head: undefined, body: EMPTY_BODY, end: false };
  while (reader.pos < reader.end) {
    const tag = reader.tag();
    if (tag === 10) frame.head = decodeRequestHead(reader, reader.limit());
    else if (tag === 18) frame.body = reader.bytes();
    else if (tag === 24) frame.end = reader.bool();
    else reader.skip(tag & 7);
  }
  return frame;
}

/** Decodes a `kas.http.v1.ResponseFrame`. */
export function decodeResponseFrame(bytes: Uint8Array): ResponseFrame {
  const reader = new WireReader(bytes, 0, bytes.length);
  const frame: ResponseFrame = { head: undefined, body: EMPTY_BODY, end: false, error: undefined };
  while (reader.pos < reader.end) {
    const tag = reader.tag();
    if (tag === 10) frame.head = decodeResponseHead(reader, reader.limit());
    else if (tag === 18) frame.body = reader.bytes();
    else if (tag === 24) frame.end = reader.bool();
    else if (tag === 34) frame.error = decodeError(reader, reader.limit());
    else reader.skip(tag & 7);
  }
  return frame;
}

/** Decodes a `kas.tunnel.v1.AgentMessage` (its descriptor, once per tunnel, by the generated decoder). */
export function decodeAgentMessage(bytes: Uint8Array): AgentMessage {
  const reader = new WireReader(bytes, 0, bytes.length);
  const message: AgentMessage = {
    descriptor: undefined,
    head: undefined,
    body: EMPTY_BODY,
    end: false,
    error: undefined,
  };
  while (reader.pos < reader.end) {
    const tag = reader.tag();
    if (tag === 10) message.descriptor = AgentDescriptor.decode(reader.bytes());
    else if (tag === 18) message.head = decodeResponseHead(reader, reader.limit());
    else if (tag === 26) message.body = reader.bytes();
    else if (tag === 32) message.end = reader.bool();
    else if (tag === 42) message.error = decodeError(reader, reader.limit());
    else reader.skip(tag & 7);
  }
  return message;
}

function decodeRequestHead(reader: WireReader, end: number): RequestHead {
  const head: RequestHead = { method: '', path: '', query: '', headers: [] };
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === 10) head.method = reader.string();
    else if (tag === 18) head.path = reader.string();
    else if (tag === 26) head.query = reader.string();
    else if (tag === 34) head.headers.push(decodeHeader(reader, reader.limit()));
    else reader.skip(tag & 7);
  }
  return atEnd(reader, end, head);
}

function decodeResponseHead(reader: WireReader, end: number): ResponseHead {
  const head: ResponseHead = { status: 0, headers: [] };
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === 8) head.status = reader.varint();
    else if (tag === 18) head.headers.push(decodeHeader(reader, reader.limit()));
    else reader.skip(tag & 7);
  }
  return atEnd(reader, end, head);
}

function decodeHeader(reader: WireReader, end: number): Header {
  const header: Header = { name: '', values: [] };
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === 10) header.name = reader.string();
    else if (tag === 18) header.values.push(reader.string());
    else reader.skip(tag & 7);
  }
  return atEnd(reader, end, header);
}

function decodeError(reader: WireReader, end: number): ResponseError {
  const error: ResponseError = { code: '', message: '' };
  while (reader.pos < end) {
    const tag = reader.tag();
    if (tag === 10) error.code = reader.string();
    else if (tag === 18) error.message = reader.string();
    else reader.skip(tag & 7);
  }
  return atEnd(reader, end, error);
}

/** A nested message must end exactly where its length said (a field inside may not run past it). */
function atEnd<T>(reader: WireReader, end: number, message: T): T {
  if (reader.pos !== end) throw new RangeError('a field runs past the end of its message');
  return message;
}

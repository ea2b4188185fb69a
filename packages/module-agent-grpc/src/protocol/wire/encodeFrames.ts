import type {
  Header,
  RequestFrame,
  RequestHead,
  ResponseError,
  ResponseFrame,
  ResponseHead,
} from '../../proto/generated/kas/http/v1/http.js';
import { AgentMessage } from '../../proto/generated/kas/tunnel/v1/tunnel.js';
import { WIRE_VARINT, WireWriter } from './WireWriter.js';

// Hand-written encoders of the frame messages, byte for byte what the generated (ts-proto) encoders
// write: fields in number order, defaults (empty string, 0, false, no bytes) left out as proto3 does.
// Each message is sized first, then written into one Buffer of exactly that size (see WireWriter).

const writer = new WireWriter();

/** Encodes a `kas.http.v1.RequestFrame`. */
export function encodeRequestFrame(frame: RequestFrame): Buffer {
  writer.beginSizing();
  let size = frame.head === undefined ? 0 : sizeRequestHead(1, frame.head);
  size += sizeBodyAndEnd(2, frame.body, frame.end);
  writer.beginWriting(size);
  if (frame.head !== undefined) writeRequestHead(1, frame.head);
  writeBodyAndEnd(2, frame.body, frame.end);
  return writer.finish();
}

/** Encodes a `kas.http.v1.ResponseFrame`. */
export function encodeResponseFrame(frame: ResponseFrame): Buffer {
  writer.beginSizing();
  let size = frame.head === undefined ? 0 : sizeResponseHead(1, frame.head);
  size += sizeBodyAndEnd(2, frame.body, frame.end);
  if (frame.error !== undefined) size += sizeError(4, frame.error);
  writer.beginWriting(size);
  if (frame.head !== undefined) writeResponseHead(1, frame.head);
  writeBodyAndEnd(2, frame.body, frame.end);
  if (frame.error !== undefined) writeError(4, frame.error);
  return writer.finish();
}

/** Encodes a `kas.tunnel.v1.AgentMessage` (a descriptor, sent once per tunnel, by the generated encoder). */
export function encodeAgentMessage(message: AgentMessage): Buffer {
  if (message.descriptor !== undefined) {
    const bytes = AgentMessage.encode(message).finish();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  writer.beginSizing();
  let size = message.head === undefined ? 0 : sizeResponseHead(2, message.head);
  size += sizeBodyAndEnd(3, message.body, message.end);
  if (message.error !== undefined) size += sizeError(5, message.error);
  writer.beginWriting(size);
  if (message.head !== undefined) writeResponseHead(2, message.head);
  writeBodyAndEnd(3, message.body, message.end);
  if (message.error !== undefined) writeError(5, message.error);
  return writer.finish();
}

function sizeHeaders(field: number, headers: readonly Header[]): number {
  let size = 0;
  for (const header of headers) {
    const slot = writer.openNested();
    let content = header.name === '' ? 0 : writer.sizeString(1, header.name);
    for (const value of header.values) content += writer.sizeString(2, value);
    size += writer.closeNested(field, slot, content);
  }
  return size;
}

function writeHeaders(field: number, headers: readonly Header[]): void {
  for (const header of headers) {
    writer.nested(field);
    if (header.name !== '') writer.string(1, header.name);
    for (const value of header.values) writer.string(2, value);
  }
}

function sizeRequestHead(field: number, head: RequestHead): number {
  const slot = writer.openNested();
  let content = 0;
  if (head.method !== '') content += writer.sizeString(1, head.method);
  if (head.path !== '') content += writer.sizeString(2, head.path);
  if (head.query !== '') content += writer.sizeString(3, head.query);
  content += sizeHeaders(4, head.headers);
  return writer.closeNested(field, slot, content);
}

function writeRequestHead(field: number, head: RequestHead): void {
  writer.nested(field);
  if (head.method !== '') writer.string(1, head.method);
  if (head.path !== '') writer.string(2, head.path);
  if (head.query !== '') writer.string(3, head.query);
  writeHeaders(4, head.headers);
}

function sizeResponseHead(field: number, head: ResponseHead): number {
  const slot = writer.openNested();
  const status = head.status === 0 ? 0 : writer.sizeVarint(1, head.status);
  return writer.closeNested(field, slot, status + sizeHeaders(2, head.headers));
}

function writeResponseHead(field: number, head: ResponseHead): void {
  writer.nested(field);
  if (head.status !== 0) {
    writer.tag(1, WIRE_VARINT);
    writer.varint(head.status);
  }
  writeHeaders(2, head.headers);
}

function sizeError(field: number, error: ResponseError): number {
  const slot = writer.openNested();
  let content = 0;
  if (error.code !== '') content += writer.sizeString(1, error.code);
  if (error.message !== '') content += writer.sizeString(2, error.message);
  return writer.closeNested(field, slot, content);
}

function writeError(field: number, error: ResponseError): void {
  writer.nested(field);
  if (error.code !== '') writer.string(1, error.code);
  if (error.message !== '') writer.string(2, error.message);
}

/** The body field and, after it, the end flag (field number + 1), as every frame message lays them out. */
function sizeBodyAndEnd(bodyField: number, body: Uint8Array, end: boolean): number {
  return (
    (body.length === 0 ? 0 : writer.sizeBytes(bodyField, body)) +
    (end ? writer.sizeVarint(bodyField + 1, 1) : 0)
  );
}

function writeBodyAndEnd(bodyField: number, body: Uint8Array, end: boolean): void {
  if (body.length > 0) writer.bytes(bodyField, body);
  if (end) {
    writer.tag(bodyField + 1, WIRE_VARINT);
    writer.varint(1);
  }
}

import type { IncomingMessage } from 'node:http';
import { badRequest } from '../objects/storeErrors.js';
import { decodeKubeProtobuf, KUBE_PROTOBUF } from '../protobuf/decodeKubeProtobuf.js';

/** The real server's limit for a request body. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;

/**
 * Reads and parses a request's JSON body; undefined when the body is empty. Malformed JSON or a body
 * over 3 MiB is `KAS_FAKE_KUBE_BAD_REQUEST`.
 */
export async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const text = (await readRawBody(request)).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(
      `the body of the request is not valid JSON: ${(error as Error).message}`,
      'send the object as JSON (Content-Type: application/json)',
    );
  }
}

/** Reads a request body whole; over 3 MiB is `KAS_FAKE_KUBE_BAD_REQUEST`. */
export async function readRawBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw badRequest(`request body over ${MAX_BODY_BYTES} bytes`, 'send a smaller object');
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Whether a request body's `Content-Type` is JSON (or absent, which the fake reads as JSON). */
export function isJsonContentType(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return mediaType === '' || mediaType === 'application/json';
}

/** Whether a request body's `Content-Type` is the Kubernetes protobuf envelope. */
export function isProtobufContentType(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === KUBE_PROTOBUF;
}

/**
 * Reads a create or replace body: JSON, or (as kubectl's generators send) the Kubernetes protobuf
 * envelope of a ConfigMap, Secret or Namespace. Undefined for another media type (the caller answers 415).
 */
export async function readObjectBody(
  request: IncomingMessage,
): Promise<{ readonly object: unknown } | undefined> {
  const contentType = request.headers['content-type'];
  if (isProtobufContentType(contentType)) return { object: decodeKubeProtobuf(await readRawBody(request)) };
  if (isJsonContentType(contentType)) return { object: await readJsonBody(request) };
  return undefined;
}

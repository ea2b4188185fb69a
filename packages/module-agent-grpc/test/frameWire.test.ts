import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import {
  AgentMessage,
  createDeserializer,
  createSerializer,
  EMPTY_BODY,
  type MessageCodec,
  RequestFrame,
  ResponseFrame,
  UndecodableMessage,
} from '../src/index.js';

const bodyOf = (length: number) => Buffer.alloc(length, 'x');
const headers = [
  { name: 'accept', values: ['application/json', 'application/yaml'] },
  { name: 'x-unicode', values: ['grüße – 日本 🚀', ''] },
  { name: '', values: [] },
];

const requestFrames: RequestFrame[] = [
  {
    head: { method: 'GET', path: '/api/v1/pods', query: 'watch=1&limit=500', headers },
    body: EMPTY_BODY,
    end: true,
  },
  { head: { method: '', path: '', query: '', headers: [] }, body: EMPTY_BODY, end: false },
  ...[1, 127, 128, 16_383, 16_384, 70_000].map((length) => ({
    head: undefined,
    body: bodyOf(length),
    end: false,
  })),
  { head: undefined, body: EMPTY_BODY, end: true },
];
const responseFrames: ResponseFrame[] = [
  { head: { status: 200, headers }, body: bodyOf(1024), end: true, error: undefined },
  { head: { status: 0, headers: [] }, body: EMPTY_BODY, end: false, error: undefined },
  {
    head: undefined,
    body: EMPTY_BODY,
    end: false,
    error: { code: 'UPSTREAM_ABORTED', message: 'broke – off' },
  },
  { head: undefined, body: EMPTY_BODY, end: false, error: { code: '', message: '' } },
  { head: undefined, body: bodyOf(65_536), end: true, error: undefined },
];
const agentMessages: AgentMessage[] = [
  {
    descriptor: { services: ['kubernetes-api'], agentVersion: '0.1.0' },
    head: undefined,
    body: EMPTY_BODY,
    end: false,
    error: undefined,
  },
  ...responseFrames.map(({ head, body, end, error }) => ({ descriptor: undefined, head, body, end, error })),
  {
    descriptor: undefined,
    head: { status: 4_294_967_295, headers: [] },
    body: EMPTY_BODY,
    end: false,
    error: undefined,
  },
];

function generatedBytes<T>(codec: MessageCodec<T>, message: T): Buffer {
  return Buffer.from(codec.encode(message).finish());
}

const cases = [
  ['RequestFrame', RequestFrame, requestFrames],
  ['ResponseFrame', ResponseFrame, responseFrames],
  ['AgentMessage', AgentMessage, agentMessages],
] as const;

describe('the frame messages on the wire', () => {
  it.each(cases)('%s: the serializer writes the bytes of the generated encoder', (_name, codec, messages) => {
    const serialize = createSerializer(codec as MessageCodec<unknown>);
    for (const message of messages) {
      expect(serialize(message)).toEqual(generatedBytes(codec as MessageCodec<unknown>, message));
    }
  });

  it.each(cases)(
    '%s: the deserializer makes the objects of the generated decoder',
    (name, codec, messages) => {
      const deserialize = createDeserializer(codec as MessageCodec<unknown>, name, 1 << 20);
      for (const message of messages) {
        const bytes = generatedBytes(codec as MessageCodec<unknown>, message);
        expect(deserialize(bytes)).toEqual((codec as MessageCodec<unknown>).decode(bytes));
      }
    },
  );

  it('decodes bodies as views of the received bytes, not copies', () => {
    const bytes = createSerializer(RequestFrame)({ head: undefined, body: bodyOf(300), end: true });
    const frame = createDeserializer(RequestFrame, 'RequestFrame', 1 << 20)(bytes) as RequestFrame;
    expect(frame.body.buffer).toBe(bytes.buffer);
    expect(frame.body.length).toBe(300);
  });

  it('skips fields of every wire type that a newer peer may add, in the frame and in nested messages', () => {
    const writer = new BinaryWriter();
    writer.uint32((9 << 3) | 0).uint64(2n ** 40n);
    writer.uint32((10 << 3) | 1).fixed64(7n);
    writer.uint32((11 << 3) | 2).string('from the future');
    writer.uint32((12 << 3) | 5).fixed32(7);
    writer.uint32((2 << 3) | 2).fork();
    writer.uint32((1 << 3) | 0).uint32(204);
    writer.uint32((7 << 3) | 2).bytes(Buffer.from('unknown in the head'));
    writer.join();
    writer.uint32((4 << 3) | 0).uint64(2n ** 33n); // end: a bool whose only set bit is above bit 31
    const bytes = Buffer.from(writer.finish());
    const decoded = createDeserializer(AgentMessage, 'AgentMessage', 1 << 20)(bytes);
    expect(decoded).toEqual(AgentMessage.decode(bytes));
    expect(decoded).toMatchObject({ head: { status: 204, headers: [] }, end: true });
  });

  it.each([
    ['a length past the end', [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]],
    ['a truncated varint', [0x08, 0xff]],
    ['a varint of 11 bytes', [0x20, ...Array(10).fill(0xff), 0x01]],
    ['field number 0', [0x00, 0x01]],
    ['a group', [0x4b, 0x4c]],
    ['a header running past the end of its head', [0x12, 0x03, 0x12, 0x05, 0x0a, 0x01, 0x61]],
  ])('refuses %s as KAS_FRAME_MALFORMED', (_what, bytes) => {
    const decoded = createDeserializer(AgentMessage, 'AgentMessage', 1 << 20)(Buffer.from(bytes));
    expect(decoded).toBeInstanceOf(UndecodableMessage);
    expect((decoded as UndecodableMessage).code).toBe('KAS_FRAME_MALFORMED');
  });
});

import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AgentMessage,
  createForwardMethod,
  createReverseTunnelMethod,
  ForwardReply,
  ForwardRequest,
  KasMessage,
} from '../src/index.js';

// Around the size from which the serializers write the body last, and frame-sized and larger bodies.
const BODY_SIZES = [0, 1, 4095, 4096, 65_536, 1024 * 1024];
const tunnel = createReverseTunnelMethod(8 * 1024 * 1024);
const forward = createForwardMethod();

/** A decoded message with each body replaced by its digest (deep equality of megabytes is slow to report). */
function digested(value: unknown): unknown {
  if (value instanceof Uint8Array) return `sha256:${createHash('sha256').update(value).digest('hex')}`;
  if (Array.isArray(value)) return value.map(digested);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, digested(field)]));
  return value;
}

describe('serializers that write a large body last', () => {
  it.each(BODY_SIZES)('an AgentMessage with a %i-byte body decodes to the message written', (size) => {
    const message: AgentMessage = {
      head: { status: 200, headers: [{ name: 'content-type', values: ['application/json'] }] },
      body: randomBytes(size),
      end: true,
      heartbeat: false,
    };
    expect(digested(AgentMessage.decode(tunnel.requestSerialize(message)))).toEqual(
      digested({ ...message, descriptor: undefined, error: undefined }),
    );
  });

  it.each(BODY_SIZES)(
    'a request frame with a %i-byte body decodes as a KasMessage with that body',
    (size) => {
      const frame = {
        head: { method: 'POST', path: '/api/v1/namespaces', query: 'dryRun=All', headers: [], upgrade: '' },
        body: randomBytes(size),
        end: false,
      };
      expect(digested(KasMessage.decode(tunnel.responseSerialize(frame)))).toEqual(
        digested({ ...frame, heartbeat: false }),
      );
    },
  );

  it.each(BODY_SIZES)(
    'Forward messages with a %i-byte body decode to what the generated encoder writes',
    (size) => {
      const request: ForwardRequest = {
        target: { agentId: 'agent-1', tunnelWaitMs: 5000 },
        frame: {
          head: { method: 'PUT', path: '/api/v1/configmaps/x', query: '', headers: [], upgrade: '' },
          body: randomBytes(size),
          end: true,
        },
        heartbeat: false,
      };
      const reply: ForwardReply = {
        tunnelAcquired: true,
        frame: { head: { status: 201, headers: [] }, body: randomBytes(size), end: false },
        heartbeat: false,
      };
      expect(digested(ForwardRequest.decode(forward.requestSerialize(request)))).toEqual(
        digested(ForwardRequest.decode(ForwardRequest.encode(request).finish())),
      );
      expect(digested(ForwardReply.decode(forward.responseSerialize(reply)))).toEqual(
        digested(ForwardReply.decode(ForwardReply.encode(reply).finish())),
      );
    },
  );

  it('leaves messages without a frame or a body to the generated encoder', () => {
    const heartbeat: ForwardReply = { tunnelAcquired: false, frame: undefined, heartbeat: true };
    expect(forward.responseSerialize(heartbeat)).toEqual(
      Buffer.from(ForwardReply.encode(heartbeat).finish()),
    );
  });
});

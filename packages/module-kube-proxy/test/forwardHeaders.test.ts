import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, upstreamRequestHeaders } from '../src/http/forwardHeaders.js';

describe('headers a hop of the proxy forwards', () => {
  it('drops the user credentials, hop-by-hop fields and the fields Connection names; keeps the rest in order', () => {
    const headers = upstreamRequestHeaders([
      'Host',
      'kas.example',
      'Authorization',
      'Bearer user:agent-1:secret',
      'Accept',
      'application/json',
      'Connection',
      'keep-alive, X-Hop',
      'X-Hop',
      'dropped',
      'Proxy-Authorization',
      'Basic c2VjcmV0',
      'Keep-Alive',
      'timeout=5',
      'TE',
      'trailers',
      'Transfer-Encoding',
      'chunked',
      'Upgrade',
      'websocket',
      'Impersonate-Group',
      'a',
      'impersonate-group',
      'b',
    ]);
    expect({ ...headers }).toEqual({
      host: ['kas.example'],
      accept: ['application/json'],
      'impersonate-group': ['a', 'b'],
    });
  });

  it('drops hop-by-hop fields of an answer and adds Connection: close while the proxy stops', () => {
    const upstream = {
      'content-type': ['application/json'],
      connection: ['close, x-hop'],
      'x-hop': ['1'],
      'transfer-encoding': ['chunked'],
      'keep-alive': ['timeout=5'],
      'set-cookie': ['a=1', 'b=2'],
    };
    expect({ ...clientResponseHeaders(upstream, false) }).toEqual({
      'content-type': ['application/json'],
      'set-cookie': ['a=1', 'b=2'],
    });
    expect(clientResponseHeaders(upstream, true).connection).toEqual(['close']);
  });
});

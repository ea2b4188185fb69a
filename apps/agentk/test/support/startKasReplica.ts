import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { startTestApp, type TestApp } from '@kas/core/testing';
import {
  type AgentGrpcServerConfig,
  type AgentGrpcServerInfo,
  AgentGrpcServerToken,
  agentGrpcServerModule,
  sha256Hex,
} from '@kas/module-agent-grpc';
import { type TunnelRegistry, TunnelRegistryToken } from '@kas/tunnel-protocol';
import { testLogger } from './testLogger.js';

/** Tokens of the agents every test replica accepts: `agent-1` … `agent-8`. */
export const TOKENS: Readonly<Record<string, string>> = Object.fromEntries(
  Array.from({ length: 8 }, (_, index) => [
    `agent-${index + 1}`,
    `token-of-agent-${index + 1}-${'x'.repeat(20)}`,
  ]),
);

/** One kas replica for a test: the agent gRPC server, and a tiny HTTP consumer in front of its registry. */
export interface KasReplica {
  readonly kas: TestApp;
  readonly registry: TunnelRegistry;
  readonly server: AgentGrpcServerInfo;
  /** `http://127.0.0.1:<port>`; `GET <url>/<agent-id>/<path>` goes through that agent's tunnel. */
  readonly consumerUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts a replica. The consumer stands in for the kube proxy: it acquires a tunnel, round-trips the
 * request with its body, streams the response back, and cancels when its client goes away. Errors
 * before the head are answered 502 with the error code as the body.
 */
export async function startKasReplica(config: Partial<AgentGrpcServerConfig> = {}): Promise<KasReplica> {
  const kas = await startTestApp({
    ...testLogger(),
    modules: [
      agentGrpcServerModule({
        listen: '127.0.0.1:0',
        agents: Object.entries(TOKENS).map(([id, token]) => ({ id, tokenSha256: sha256Hex(token) })),
        ...config,
      }),
    ],
  });
  const registry = kas.app.get(TunnelRegistryToken);
  const consumer: Server = createServer(async (request, response) => {
    const abort = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) abort.abort(new Error('the client went away'));
    });
    const url = new URL(request.url ?? '/', 'http://consumer');
    const [, agentId = '', ...rest] = url.pathname.split('/');
    try {
      const tunnel = await registry.acquire(agentId, { timeoutMs: 5_000, signal: abort.signal });
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
      const answer = await tunnel.roundTrip(
        {
          method: request.method ?? 'GET',
          path: `/${rest.join('/')}`,
          query: url.search.slice(1),
          headers: request.headersDistinct,
        },
        hasBody ? request : undefined,
        abort.signal,
      );
      response.writeHead(answer.status, answer.headers as Record<string, string[]>);
      response.flushHeaders();
      await pipeline(answer.body, response).catch(() => response.destroy());
    } catch (error) {
      if (!response.headersSent)
        response.writeHead(502).end((error as { code?: string }).code ?? String(error));
    }
  });
  consumer.listen(0, '127.0.0.1');
  await once(consumer, 'listening');
  return {
    kas,
    registry,
    server: kas.app.get(AgentGrpcServerToken),
    consumerUrl: `http://127.0.0.1:${(consumer.address() as AddressInfo).port}`,
    stop: async () => {
      consumer.closeAllConnections();
      consumer.close();
      await kas.stop();
    },
  };
}

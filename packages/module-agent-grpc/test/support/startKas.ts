import { startTestApp, type TestApp } from '@kas/core/testing';
import { type TunnelRegistry, TunnelRegistryToken } from '@kas/tunnel-protocol';
import { type Logger, pino } from 'pino';
import {
  type AgentGrpcServerConfig,
  type AgentGrpcServerInfo,
  AgentGrpcServerToken,
  agentGrpcServerModule,
  sha256Hex,
} from '../../src/index.js';

/** The tokens of the agents every test kas accepts. */
export const AGENT_TOKENS = { 'agent-1': 'token-of-agent-1', 'agent-2': 'token-of-agent-2' } as const;

/** A kas app with only the agent gRPC server, on 127.0.0.1 and a free port. */
export interface TestKas {
  readonly kas: TestApp;
  readonly registry: TunnelRegistry;
  readonly server: AgentGrpcServerInfo;
  /** Every log line the app wrote, parsed. */
  readonly logs: Record<string, unknown>[];
}

/** Starts kas with the agent gRPC server; the caller stops `kas`. */
export async function startKas(config: Partial<AgentGrpcServerConfig> = {}): Promise<TestKas> {
  const logs: Record<string, unknown>[] = [];
  const logger: Logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  const kas = await startTestApp({
    logger,
    modules: [
      agentGrpcServerModule({
        listen: '127.0.0.1:0',
        agents: Object.entries(AGENT_TOKENS).map(([id, token]) => ({ id, tokenSha256: sha256Hex(token) })),
        ...config,
      }),
    ],
  });
  return { kas, registry: kas.app.get(TunnelRegistryToken), server: kas.app.get(AgentGrpcServerToken), logs };
}

/**
 * A server process of the idle-agents benchmark: one kas replica's agent side — the real
 * `agent-grpc-server` module in a `@kas/core` app — accepting agents `agent-0` .. `agent-<n-1>` whose
 * tokens are `idle-agent-<i>`.
 */
import { createApp } from '@kas/core';
import { AgentGrpcServerToken, agentGrpcServerModule, sha256Hex } from '@kas/module-agent-grpc';
import { pino } from 'pino';
import { answerMeasurements } from './answerMeasurements.js';
import { KAS_TOKEN_PREFIX } from './kasTokens.js';

const agentCount = Number(process.argv[2]);
const app = createApp({
  modules: [
    agentGrpcServerModule({
      listen: '127.0.0.1:0',
      agents: Array.from({ length: agentCount }, (_, index) => ({
        id: `agent-${index}`,
        tokenSha256: sha256Hex(`${KAS_TOKEN_PREFIX}${index}`),
      })),
    }),
  ],
  // Each agent's arrival is an info line; at warn the measurement holds the server's work, not stdout's.
  logger: pino({ level: 'warn' }),
});
await app.start();
const server = app.get(AgentGrpcServerToken);
answerMeasurements(server.address, () => server.tunnelCount());

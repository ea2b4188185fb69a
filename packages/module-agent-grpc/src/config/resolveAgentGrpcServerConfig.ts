import { toMilliseconds } from '@kas/core';
import type { PemSource } from '@kas/tunnel-protocol';
import { AgentGrpcError } from '../errors/AgentGrpcError.js';
import {
  AGENT_GRPC_SERVER_DEFAULTS,
  type AgentGrpcServerConfig,
  MIN_MAX_MESSAGE_BYTES,
  type ResolvedAgentGrpcServerConfig,
} from './AgentGrpcServerConfig.js';

const LISTEN = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** Checks the configuration and fills in defaults; throws `KAS_INVALID_CONFIG` naming the bad key. */
export function resolveAgentGrpcServerConfig(config: AgentGrpcServerConfig): ResolvedAgentGrpcServerConfig {
  const listen = LISTEN.exec(typeof config.listen === 'string' ? config.listen : '');
  const port = Number(listen?.[2]);
  if (listen === null || port > 65_535) {
    return invalid(
      'listen',
      `${JSON.stringify(config.listen)} is not host:port`,
      "write it like '0.0.0.0:8150' or '127.0.0.1:0'",
    );
  }
  if (!Array.isArray(config.agents))
    invalid('agents', 'is not a list', "write agents: [{ id: 'agent-1', tokenSha256: '…' }]");
  const idBySha256 = new Map<string, string>();
  config.agents.forEach((agent, index) => {
    if (typeof agent?.id !== 'string' || agent.id === '') {
      invalid(`agents[${index}].id`, 'is not a non-empty string', "give each agent an id such as 'agent-1'");
    }
    if (typeof agent.tokenSha256 !== 'string' || !SHA256_HEX.test(agent.tokenSha256)) {
      invalid(
        `agents[${index}].tokenSha256`,
        'is not 64 hex digits',
        'give the sha256 of the token, e.g. the first field of `sha256sum token-file`',
      );
    }
    const other = idBySha256.get(agent.tokenSha256.toLowerCase());
    if (other !== undefined && other !== agent.id) {
      invalid(
        `agents[${index}].tokenSha256`,
        `is also the token hash of agent "${other}"`,
        'give each agent its own token',
      );
    }
    idBySha256.set(agent.tokenSha256.toLowerCase(), agent.id);
  });
  if (config.tls !== undefined) {
    checkPem(config.tls.cert, 'tls.cert');
    checkPem(config.tls.key, 'tls.key');
  }
  const keepalive = {
    timeMs: positive(
      config.keepalive?.timeMs,
      'keepalive.timeMs',
      AGENT_GRPC_SERVER_DEFAULTS.keepalive.timeMs,
    ),
    timeoutMs: positive(
      config.keepalive?.timeoutMs,
      'keepalive.timeoutMs',
      AGENT_GRPC_SERVER_DEFAULTS.keepalive.timeoutMs,
    ),
  };
  const maxMessageBytes = positive(
    config.maxMessageBytes,
    'maxMessageBytes',
    AGENT_GRPC_SERVER_DEFAULTS.maxMessageBytes,
  );
  if (maxMessageBytes < MIN_MAX_MESSAGE_BYTES) {
    invalid(
      'maxMessageBytes',
      `${maxMessageBytes} is below ${MIN_MAX_MESSAGE_BYTES}`,
      `give at least ${MIN_MAX_MESSAGE_BYTES}`,
    );
  }
  const drainBudget = config.drainBudget ?? AGENT_GRPC_SERVER_DEFAULTS.drainBudget;
  try {
    toMilliseconds(drainBudget, 'drainBudget');
  } catch (error) {
    invalid(
      'drainBudget',
      `${JSON.stringify(drainBudget)} is not a duration`,
      "write it like '30s' or '1h'",
      error,
    );
  }
  return {
    host: (listen[1] as string).replace(/^\[(.*)\]$/, '$1'),
    port,
    agents: config.agents,
    tls: config.tls,
    keepalive,
    maxMessageBytes,
    maxTunnelsPerAgent: positive(
      config.maxTunnelsPerAgent,
      'maxTunnelsPerAgent',
      AGENT_GRPC_SERVER_DEFAULTS.maxTunnelsPerAgent,
    ),
    acquireTimeoutMs: positive(
      config.acquireTimeoutMs,
      'acquireTimeoutMs',
      AGENT_GRPC_SERVER_DEFAULTS.acquireTimeoutMs,
    ),
    idleTunnelTimeoutMs: nonNegative(
      config.idleTunnelTimeoutMs,
      'idleTunnelTimeoutMs',
      AGENT_GRPC_SERVER_DEFAULTS.idleTunnelTimeoutMs,
    ),
    drainBudget,
  };
}

function nonNegative(value: number | undefined, key: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0)
    invalid(key, `${JSON.stringify(value)} is not a whole number of milliseconds`, 'give 0 or more');
  return value;
}

function positive(value: number | undefined, key: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0)
    invalid(key, `${JSON.stringify(value)} is not a positive integer`, `give a whole number above 0`);
  return value;
}

function checkPem(source: PemSource | undefined, key: string): void {
  const isPem =
    typeof source === 'object' && source !== null && 'pem' in source && typeof source.pem === 'string';
  const isFile =
    typeof source === 'object' && source !== null && 'file' in source && typeof source.file === 'string';
  if (!isPem && !isFile)
    invalid(
      key,
      'is neither { pem } nor { file }',
      `write ${key}: { file: '/etc/kas/tls.pem' } or { pem: '-----BEGIN …' }`,
    );
}

function invalid(key: string, problem: string, fix: string, cause?: unknown): never {
  throw new AgentGrpcError('KAS_INVALID_CONFIG', `agent-grpc-server config: ${key} ${problem}`, fix, {
    cause,
  });
}

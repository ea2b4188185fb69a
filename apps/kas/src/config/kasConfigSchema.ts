import { hostname } from 'node:os';
import { duration, filePath, hostPort, tlsFiles } from '@kas/config';
import { agentGrpcServerConfigSchema } from '@kas/module-agent-grpc';
import { z } from 'zod';

/** A string; a number (`id: 7` in YAML, `KAS_REPLICA__ID=7`) counts as its text. */
const numberAsText = (value: unknown) => (typeof value === 'number' ? String(value) : value);
const text = () => z.preprocess(numberAsText, z.string().min(1));
const path = () => z.preprocess(numberAsText, filePath());

const agentGrpc = agentGrpcServerConfigSchema.shape;

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * The kas config file (`kas --config kas.yaml`), every key overridable by a `KAS_*` environment
 * variable. Secrets are never values here, only paths of files that hold them. See kas.example.yaml.
 */
export const kasConfigSchema = z.strictObject({
  replica: z
    .strictObject({
      id: text().default(hostname()),
    })
    .prefault({}),
  log: z.strictObject({ level: logLevel.default('info') }).prefault({}),
  shutdownDeadline: duration().optional(),
  agentGrpc: z.strictObject({
    listen: agentGrpc.listen.prefault('127.0.0.1:8150'),
    tls: tlsFiles().optional(),
    agentsFile: path(),
    keepalive: agentGrpc.keepalive,
    maxMessageBytes: agentGrpc.maxMessageBytes,
    maxTunnelsPerAgent: agentGrpc.maxTunnelsPerAgent,
    acquireTimeout: agentGrpc.acquireTimeout,
    idleTunnelTimeout: agentGrpc.idleTunnelTimeout,
    drainBudget: duration().optional(), // derived from the user-traffic drains: see toKasModules
  }),
  tunnelTracker: z
    .strictObject({
      entryTtl: duration().optional(),
      refreshPeriod: duration().optional(),
      cleanUpPeriod: duration().optional(),
      unregisterDelay: duration().optional(),
      keyPrefix: text().optional(),
      drainBudget: duration().optional(),
    })
    .prefault({}),
  redis: z
    .strictObject({
      url: z
        .string()
        .regex(/^rediss?:\/\//, { message: "expected a URL such as 'redis://127.0.0.1:6379'" })
        .optional(),
      passwordFile: path().optional(),
      sentinel: z.strictObject({ name: text(), nodes: z.array(hostPort()).min(1) }).optional(),
      cluster: z.array(hostPort()).min(1).optional(),
    })
    .refine(
      (redis) =>
        [redis.url, redis.sentinel, redis.cluster].filter((value) => value !== undefined).length === 1,
      {
        message: 'expected exactly one of url, sentinel or cluster',
      },
    )
    .optional(),
  kubeProxy: z.strictObject({
    listen: hostPort().prefault('127.0.0.1:8443'),
    tls: tlsFiles().optional(),
    plainHttp: z.boolean().default(false),
    usersFile: path(),
    tunnelWait: duration().optional(),
    directoryPollInterval: duration().optional(),
    listenGrace: duration().optional(),
    drainBudget: duration().optional(),
    maxUpgradesPerAgent: z.number().int().min(1).optional(),
    maxUpgradesPerUser: z.number().int().min(1).optional(),
    upgradeIdleTimeout: duration().optional(),
  }),
  privateApi: z.strictObject({
    listen: hostPort().prefault('127.0.0.1:8155'),
    advertiseAddress: hostPort().optional(),
    sharedSecretFile: path(),
    tls: z
      .strictObject({
        certFile: path(),
        keyFile: path(),
        /** The CA that signed every replica's private API certificate. */
        caFile: path(),
        /** The name those certificates carry, when replicas are dialled by pod IP. */
        serverName: text().optional(),
      })
      .optional(),
    maxTunnelWait: duration().optional(),
    drainBudget: duration().optional(),
  }),
  observability: z.strictObject({ listen: hostPort().prefault('127.0.0.1:8151') }).prefault({}),
});

/** The validated kas config; durations are milliseconds. */
export type KasConfig = z.output<typeof kasConfigSchema>;

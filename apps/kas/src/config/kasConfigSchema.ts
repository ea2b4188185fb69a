import { hostname } from 'node:os';
import { type Duration, toMilliseconds } from '@kas/core';
import { z } from 'zod';

const duration = z.union([z.number(), z.string()]).transform((value, context) => {
  try {
    return toMilliseconds(value as Duration, 'duration');
  } catch {
    context.addIssue({
      code: 'custom',
      message: "expected a duration: milliseconds, or a string such as '500ms', '10s', '75m' or '1h'",
    });
    return z.NEVER;
  }
});

/** A string; a number from an environment variable (`KAS_REPLICA__ID=7`) counts as its text. */
const numberAsText = (value: unknown) => (typeof value === 'number' ? String(value) : value);
const text = () => z.preprocess(numberAsText, z.string().min(1));

const hostPort = z.preprocess(
  numberAsText,
  z.string().regex(/^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):\d{1,5}$/, {
    message: "expected host:port, such as '127.0.0.1:8150', '0.0.0.0:8443' or '[::1]:8150'",
  }),
);

const tlsFiles = z.strictObject({
  /** PEM certificate chain. */
  certFile: text(),
  /** PEM private key (a secret: read from this file, never logged). */
  keyFile: text(),
});

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
  shutdownDeadline: duration.optional(),
  agentGrpc: z.strictObject({
    listen: hostPort.default('127.0.0.1:8150'),
    tls: tlsFiles.optional(),
    agentsFile: text(),
    keepalive: z.strictObject({ time: duration.optional(), timeout: duration.optional() }).optional(),
    maxMessageBytes: z.number().int().positive().optional(),
    maxTunnelsPerAgent: z.number().int().positive().optional(),
    acquireTimeout: duration.optional(),
    idleTunnelTimeout: duration.optional(),
    drainBudget: duration.optional(),
  }),
  tunnelTracker: z
    .strictObject({
      entryTtl: duration.optional(),
      refreshPeriod: duration.optional(),
      cleanUpPeriod: duration.optional(),
      unregisterDelay: duration.optional(),
      keyPrefix: text().optional(),
      drainBudget: duration.optional(),
    })
    .prefault({}),
  redis: z
    .strictObject({
      url: z
        .string()
        .regex(/^rediss?:\/\//, { message: "expected a URL such as 'redis://127.0.0.1:6379'" })
        .optional(),
      passwordFile: text().optional(),
      sentinel: z.strictObject({ name: text(), nodes: z.array(hostPort).min(1) }).optional(),
      cluster: z.array(hostPort).min(1).optional(),
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
    listen: hostPort.default('127.0.0.1:8443'),
    tls: tlsFiles.optional(),
    plainHttp: z.boolean().default(false),
    usersFile: text(),
    tunnelWait: duration.optional(),
    directoryPollInterval: duration.optional(),
    listenGrace: duration.optional(),
    drainBudget: duration.optional(),
  }),
  privateApi: z.strictObject({
    listen: hostPort.default('127.0.0.1:8155'),
    advertiseAddress: hostPort.optional(),
    sharedSecretFile: text(),
    tls: z
      .strictObject({
        certFile: text(),
        keyFile: text(),
        /** The CA that signed every replica's private API certificate. */
        caFile: text(),
        /** The name those certificates carry, when replicas are dialled by pod IP. */
        serverName: text().optional(),
      })
      .optional(),
    maxTunnelWait: duration.optional(),
    drainBudget: duration.optional(),
  }),
  observability: z.strictObject({ listen: hostPort.default('127.0.0.1:8151') }).prefault({}),
});

/** The validated kas config; durations are milliseconds. */
export type KasConfig = z.output<typeof kasConfigSchema>;

import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  describeListenFailure,
  duration,
  hostPort,
  listenFailureFix,
  parseConfig,
  positiveDuration,
  splitHostPort,
  timeoutCheckIntervalMs,
} from '@kas/config';
import { createToken, defineModule, formatDuration, ListenerConnections } from '@kas/core';
import { LIFECYCLE_PAGE } from '@kas/lifecycle-view';
import { z } from 'zod';
import { KasAppError } from '../errors/KasAppError.js';
import { GcPressureWatch } from './GcPressureWatch.js';
import type { KasTelemetry } from './KasTelemetry.js';
import { serveObservabilityRequest } from './serveObservabilityRequest.js';

/** The replica's telemetry, provided by the app (it is fed by the app's lifecycle events). */
export const KasTelemetryToken = createToken<KasTelemetry>('kas.telemetry');

/** Where the observability listener is, once started. */
export interface ObservabilityEndpoint {
  /** `http://host:port` */
  readonly url: string;
  /** The lifecycle page, `http://host:port/debug/lifecycle/ui/`, when `debug` serves it. */
  readonly lifecyclePage?: string;
}

/** The observability listener's bound address. */
export const ObservabilityEndpointToken = createToken<ObservabilityEndpoint>('observability.endpoint');

/** Configuration of the observability module. */
export const observabilityConfigSchema = z
  .strictObject({
    listenAddress: hostPort().describe('`host:port`; port 0 picks a free port.'),
    debug: z
      .boolean()
      .default(false)
      .describe(
        'Serve the lifecycle debug endpoints (`/debug/lifecycle...`): the live stop plan, no secrets.',
      ),
    headersTimeout: positiveDuration()
      .prefault('10s')
      .describe(
        "How long a client (a probe, Prometheus) may take to send a request's headers (Node's `headersTimeout`; checked every tenth of the shorter of the two timeouts, 250 ms to 30 s): then `408` and the connection is closed.",
      ),
    requestTimeout: duration()
      .prefault('30s')
      .describe(
        "How long a client may take to send a whole request (Node's `requestTimeout`); not below `headersTimeout`; 0: no limit. The lifecycle event streams are answers, not requests: they are not bounded by it.",
      ),
    keepAliveTimeout: duration()
      .prefault('5s')
      .describe(
        "How long an idle keep-alive connection stays open after its last answer (Node's `keepAliveTimeout`).",
      ),
  })
  .superRefine((config, context) => {
    if (config.requestTimeout !== 0 && config.requestTimeout < config.headersTimeout) {
      context.addIssue({
        code: 'custom',
        path: ['requestTimeout'],
        message: `must not be shorter than headersTimeout (${formatDuration(config.requestTimeout)} is below ${formatDuration(config.headersTimeout)}); 0 disables it`,
      });
    }
  });

/** What `observabilityModule` takes. */
export type ObservabilityConfig = z.input<typeof observabilityConfigSchema>;

/**
 * One HTTP listener with `/metrics` (Prometheus text), `/readiness` (200 only while the app is started
 * and not stopping) and `/liveness`, and with `debug` the lifecycle endpoints (`/debug/lifecycle`, its
 * event stream). It starts first and stops last; its stop does not wait for lifecycle streams, which end
 * right after the app has stopped, so a viewer sees the whole stop.
 */
export function observabilityModule(input: ObservabilityConfig) {
  const config = parseConfig(
    observabilityConfigSchema,
    input,
    (problems, cause) =>
      new KasAppError('KAS_CONFIG_INVALID', `observability config: ${problems}`, 'correct each key named', {
        cause,
      }),
  );
  return defineModule({
    name: 'observability',
    // After every other module, whenever composed: readiness must answer "no" for the whole drain, and
    // metrics show the stop to its end.
    stop: { last: true },
    drainBudget: '5s',
    needs: { telemetry: KasTelemetryToken },
    provides: { endpoint: ObservabilityEndpointToken },
    create: ({ telemetry, log }) => {
      const checking = {
        connectionsCheckingInterval: timeoutCheckIntervalMs(config.headersTimeout, config.requestTimeout),
      };
      const server = createServer(checking, (request, response) =>
        serveObservabilityRequest(request, response, { telemetry, isDebug: config.debug, log }),
      );
      const sockets = new Set<Socket>();
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      });
      // A connection with no request in flight (a TCP check, an idle keep-alive) must not hold the stop.
      const connections = new ListenerConnections(server);
      server.on('request', (request, response) => {
        response.once('close', connections.busy(request.socket));
      });
      const endpoint: { url: string; lifecyclePage?: string } = { url: '' };
      const gcPressure = new GcPressureWatch(log);
      return {
        provides: { endpoint },
        async start() {
          const { host, port } = splitHostPort(config.listenAddress);
          server.headersTimeout = config.headersTimeout;
          server.requestTimeout = config.requestTimeout;
          server.keepAliveTimeout = config.keepAliveTimeout;
          server.listen(port, host);
          try {
            await once(server, 'listening');
          } catch (error) {
            throw new KasAppError(
              'KAS_OBSERVABILITY_LISTEN_FAILED',
              `observability cannot listen on ${config.listenAddress}: ${describeListenFailure(error)}`,
              listenFailureFix('observability.listen', config.listenAddress),
              { cause: error },
            );
          }
          const address = server.address() as AddressInfo;
          endpoint.url = `http://${address.address}:${address.port}`;
          if (config.debug) endpoint.lifecyclePage = `${endpoint.url}${LIFECYCLE_PAGE}`;
          log.info(
            { url: endpoint.url, ...(config.debug ? { lifecyclePage: endpoint.lifecyclePage } : {}) },
            'observability listening',
          );
          gcPressure.start();
        },
        async stop(ctx) {
          gcPressure.stop();
          ctx.signal.addEventListener(
            'abort',
            () => {
              telemetry.lifecycle.endStreams();
              server.closeAllConnections();
              connections.destroyAll();
            },
            { once: true },
          );
          // Lifecycle streams stay open past this stop (they end after app.stopped): wait for the rest.
          await new Promise<void>((resolve) => {
            const isOnlyStreams = () => {
              const streams = telemetry.lifecycle.streamSockets();
              return [...sockets].every((socket) => streams.has(socket));
            };
            const check = () => {
              if (!isOnlyStreams()) return;
              for (const socket of sockets) socket.off('close', check);
              resolve();
            };
            server.close();
            connections.closeIdle({ endRestWhenIdle: true });
            for (const socket of sockets) socket.on('close', check);
            check();
          });
        },
      };
    },
  });
}

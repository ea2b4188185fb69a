import type { IncomingMessage, ServerResponse } from 'node:http';
import { LIFECYCLE_DEBUG_PATHS, serveLifecycleDebug } from '@kas/lifecycle-view';
import type { Logger } from 'pino';
import { environmentVariableOf } from '../config/envOverrides.js';
import type { KasTelemetry } from './KasTelemetry.js';

/** What the observability listener answers from. */
export interface ObservabilityAnswers {
  readonly telemetry: KasTelemetry;
  /** `observability.debug`: whether the lifecycle debug endpoints are served. */
  readonly isDebug: boolean;
  readonly log: Logger;
}

const DEBUG_OFF_HINT = `the lifecycle view is off: set observability.debug: true (${environmentVariableOf(['observability', 'debug'])}=true)`;

/**
 * Answers one request of the observability listener: `/metrics`, `/readiness`, `/liveness` and, with
 * `isDebug`, the lifecycle debug endpoints. HEAD is answered as GET without a body (Node leaves the body
 * out): load balancers and monitors check health with HEAD.
 */
export function serveObservabilityRequest(
  request: IncomingMessage,
  response: ServerResponse,
  { telemetry, isDebug, log }: ObservabilityAnswers,
): void {
  const path = request.url?.split('?')[0] ?? '/';
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
  } else if (path === '/metrics') {
    telemetry.registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': telemetry.registry.contentType }).end(text),
      (error: unknown) => {
        log.error({ err: error }, 'collecting metrics failed');
        response.writeHead(500).end('collecting metrics failed\n');
      },
    );
  } else if (path === '/readiness') {
    const warnings = telemetry.readinessWarnings.map((warning) => `warning: ${warning}\n`).join('');
    response
      .writeHead(telemetry.isReady ? 200 : 503, { 'content-type': 'text/plain' })
      .end(`${telemetry.isReady ? 'ready' : 'not ready'}\n${warnings}`);
  } else if (path === '/liveness') {
    response.writeHead(200, { 'content-type': 'text/plain' }).end('alive\n');
  } else if (!isDebug || !serveLifecycleDebug(path, response, telemetry.lifecycle, log)) {
    const paths = ['/metrics', '/readiness', '/liveness', ...(isDebug ? LIFECYCLE_DEBUG_PATHS : [])];
    const isDebugPath = path === '/debug' || path.startsWith('/debug/');
    response
      .writeHead(404, { 'content-type': 'text/plain' })
      .end(`not found: try ${paths.join(', ')}\n${!isDebug && isDebugPath ? `${DEBUG_OFF_HINT}\n` : ''}`);
  }
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { ApiContext } from '../http/ApiContext.js';
import { isAuthorized } from '../http/authenticate.js';
import { failureStatus } from '../http/sendJson.js';
import type { KubeStatus } from '../objects/KubeObject.js';
import { SpdyConnection } from '../spdy/SpdyConnection.js';
import type { PodMainProcesses } from './PodMainProcesses.js';
import { PodProcess } from './PodProcess.js';
import type { PodSandboxes } from './PodSandboxes.js';
import type { PodServices } from './PodServices.js';
import { parseStreamingRequest, type StreamingRequest } from './StreamingRequest.js';
import { serveSpdyPortForward } from './serveSpdyPortForward.js';
import { serveSpdyRemoteCommand } from './serveSpdyRemoteCommand.js';
import { serveWebSocketPortForward } from './serveWebSocketPortForward.js';
import { serveWebSocketRemoteCommand } from './serveWebSocketRemoteCommand.js';

/** WebSocket subprotocols served, best first. */
const REMOTE_COMMAND_WEBSOCKET = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const PORT_FORWARD_WEBSOCKET = ['SPDY/3.1+portforward.k8s.io', 'v4.channel.k8s.io'];
/** SPDY `X-Stream-Protocol-Version`s served. */
const REMOTE_COMMAND_SPDY = 'v4.channel.k8s.io';
const PORT_FORWARD_SPDY = 'portforward.k8s.io';
/** The port a pod whose containers list none serves: its HTTP service's. */
const DEFAULT_SERVED_PORT = 80;

/**
 * The fake's `upgrade` listener: exec, attach and port-forward of its pods, over WebSocket
 * (`v5`/`v4.channel.k8s.io`, `SPDY/3.1+portforward.k8s.io`) and SPDY/3.1 (`v4.channel.k8s.io`,
 * `portforward.k8s.io`). Anything else, or a request the fake refuses, gets a `Status` and the connection
 * closes.
 */
export function createUpgradeHandler(
  context: ApiContext,
  tokenHashes: () => readonly Buffer[] | undefined,
  sandboxes: PodSandboxes,
  services: PodServices,
  mainProcesses: PodMainProcesses,
): (request: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const webSockets = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  // ws refuses a subprotocol that is not an RFC 6455 token (400 "Invalid Sec-WebSocket-Protocol header"),
  // and kubectl's port-forward offers `SPDY/3.1+portforward.k8s.io`, with a `/`: kubectl then fell back to
  // plain SPDY every time. The fake chooses the subprotocol itself (above) and names it in the 101.
  const chosenProtocols = new WeakMap<IncomingMessage, string>();
  webSockets.on('headers', (headers, request) => {
    const protocol = chosenProtocols.get(request);
    if (protocol !== undefined) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
  });
  return (request, socket, head) => {
    socket.on('error', () => {});
    const url = new URL(request.url ?? '/', 'http://fake-kube-api');
    if (!isAuthorized(request, url.pathname, tokenHashes())) {
      refuse(socket, failureStatus(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    let streaming: StreamingRequest | undefined;
    try {
      streaming = parseStreamingRequest(url);
    } catch (error) {
      refuse(socket, failureStatus(400, 'BadRequest', (error as Error).message));
      return;
    }
    if (streaming === undefined) {
      refuse(socket, failureStatus(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const pod = context.store.get('pods', streaming.pod, streaming.namespace);
    if (pod === undefined) {
      refuse(
        socket,
        failureStatus(404, 'NotFound', `pods "${streaming.pod}" not found`, {
          name: streaming.pod,
          kind: 'pods',
        }),
      );
      return;
    }
    const specs =
      (pod.spec as { containers?: { name?: string; stdinOnce?: boolean }[] } | undefined)?.containers ?? [];
    const containers = specs.map((container) => container.name ?? '');
    const container = streaming.container ?? containers[0] ?? '';
    if (!containers.includes(container)) {
      refuse(
        socket,
        failureStatus(400, 'BadRequest', `container ${container} is not valid for pod ${streaming.pod}`),
      );
      return;
    }
    const sandbox = sandboxes.of(streaming.namespace, streaming.pod, container);
    const main = mainProcesses.of(streaming.namespace, streaming.pod, container);
    if (main?.exitCode !== undefined) {
      // A terminated container has nothing to attach to, exec in or forward to; the kubelet refuses each
      // (kubectl run -it then prints the container's log: a quick `-- echo hi`). kubectl itself refuses
      // exec and port-forward into a completed pod before asking; other clients (client-node) are told here.
      refuse(
        socket,
        failureStatus(
          400,
          'BadRequest',
          `container ${container} is not running: its command exited with code ${main.exitCode}`,
        ),
      );
      return;
    }
    const process = new PodProcess(
      context.store.logs,
      streaming.namespace,
      streaming.pod,
      container,
      main === undefined
        ? undefined
        : { process: main, stdinOnce: specs.find((spec) => spec.name === container)?.stdinOnce === true },
    );
    const served = servedPortsOf(pod);
    // Only the ports the pod serves reach its service; another is refused, as the pod's own network would.
    const servicePort = async (port: number) =>
      served.includes(port) ? services.portOf(streaming.namespace, streaming.pod) : undefined;
    const forget = context.streams.add(() => socket.destroy());
    socket.once('close', forget);
    context.log.debug(
      {
        event: 'streaming.upgrade',
        kind: streaming.kind,
        pod: streaming.pod,
        upgrade: request.headers.upgrade,
      },
      `${streaming.kind} ${streaming.pod}`,
    );
    const upgrade = (request.headers.upgrade ?? '').toLowerCase();
    if (upgrade === 'websocket') {
      const offered = (request.headers['sec-websocket-protocol'] ?? '').split(',').map((name) => name.trim());
      const served = streaming.kind === 'portforward' ? PORT_FORWARD_WEBSOCKET : REMOTE_COMMAND_WEBSOCKET;
      const protocol = served.find((name) => offered.includes(name));
      if (protocol === undefined) {
        refuse(
          socket,
          failureStatus(
            400,
            'BadRequest',
            `none of the WebSocket subprotocols ${offered.join(', ')} is served; use one of ${served.join(', ')}`,
          ),
        );
        return;
      }
      chosenProtocols.set(request, protocol);
      delete request.headers['sec-websocket-protocol'];
      webSockets.handleUpgrade(request, socket, head, (webSocket) => {
        webSocket.on('error', () => {});
        if (streaming.kind !== 'portforward') {
          serveWebSocketRemoteCommand(webSocket, streaming, sandbox, process);
        } else if (protocol === 'v4.channel.k8s.io') {
          serveWebSocketPortForward(webSocket, streaming.ports, streaming.pod, servicePort);
        } else {
          const stream = createWebSocketStream(webSocket);
          stream.on('error', () => {});
          serveSpdyPortForward(
            new SpdyConnection(stream),
            streaming.pod,
            servicePort,
            () => stream.pause(),
            () => stream.resume(),
          );
        }
      });
      return;
    }
    if (upgrade === 'spdy/3.1') {
      const version = streaming.kind === 'portforward' ? PORT_FORWARD_SPDY : REMOTE_COMMAND_SPDY;
      const offered = request.headersDistinct['x-stream-protocol-version'] ?? [];
      if (
        !offered
          .flatMap((value) => value.split(','))
          .map((name) => name.trim())
          .includes(version)
      ) {
        refuse(
          socket,
          failureStatus(
            403,
            'Forbidden',
            `no X-Stream-Protocol-Version the fake serves (${version}) was offered`,
          ),
        );
        return;
      }
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${version}\r\n\r\n`,
      );
      if (head.length > 0) socket.unshift(head);
      const connection = new SpdyConnection(socket);
      serveSpdy(connection, streaming, sandbox, process, servicePort, socket);
      return;
    }
    refuse(
      socket,
      failureStatus(
        400,
        'BadRequest',
        `Upgrade: ${request.headers.upgrade ?? ''} is not served; use websocket or SPDY/3.1`,
      ),
    );
  };
}

function serveSpdy(
  connection: SpdyConnection,
  streaming: StreamingRequest,
  sandbox: ReturnType<PodSandboxes['of']>,
  process: PodProcess,
  servicePort: (port: number) => Promise<number | undefined>,
  socket: Duplex,
): void {
  if (streaming.kind === 'portforward') {
    serveSpdyPortForward(
      connection,
      streaming.pod,
      servicePort,
      () => socket.pause(),
      () => socket.resume(),
    );
  } else serveSpdyRemoteCommand(connection, streaming, sandbox, process);
}

/**
 * The ports a pod's service answers on: the `containerPort`s its containers list, or 80 when they list
 * none (the fake's HTTP service).
 */
function servedPortsOf(pod: Record<string, unknown>): readonly number[] {
  const containers = (pod.spec as { containers?: { ports?: { containerPort?: unknown }[] }[] } | undefined)
    ?.containers;
  const listed = (containers ?? []).flatMap((container) =>
    (container.ports ?? []).map((port) => port.containerPort).filter((port) => typeof port === 'number'),
  );
  return listed.length > 0 ? listed : [DEFAULT_SERVED_PORT];
}

function refuse(socket: Duplex, status: KubeStatus): void {
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${status.reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

import type { WebSocket } from 'ws';
import type { PodSandbox } from '../sandbox/PodSandbox.js';
import type { PodProcess } from './PodProcess.js';
import { RemoteCommandSession } from './RemoteCommandSession.js';
import type { StreamingRequest } from './StreamingRequest.js';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
/** v5: `[255, channel]` closes that channel (kubectl sends it for the end of stdin). */
const CLOSE = 255;
/**
 * How long the command takes to start after the upgrade. client-go already reads the connection while it
 * registers its streams, and drops a message for a stream not registered yet (`Unknown stream id 1,
 * discarding message`): a first output sent at once was lost now and then (`kubectl exec -it` without its
 * first prompt). A container's process takes a moment to start too.
 */
const PROCESS_START_MS = 20;

/**
 * exec and attach over WebSocket, `v5.channel.k8s.io` (kubectl 1.30+) or `v4.channel.k8s.io`
 * (@kubernetes/client-node): every binary message starts with its channel byte — 0 stdin, 1 stdout,
 * 2 stderr, 3 the final `Status` (JSON), 4 terminal size (`{"Width":…,"Height":…}`), and in v5 255 to
 * close a channel.
 */
export function serveWebSocketRemoteCommand(
  socket: WebSocket,
  request: StreamingRequest,
  sandbox: PodSandbox,
  process: PodProcess,
): void {
  const send = (channel: number, bytes: Buffer) => {
    if (socket.readyState === socket.OPEN) socket.send(Buffer.concat([Buffer.from([channel]), bytes]));
  };
  const session = new RemoteCommandSession(request, {
    stdout: (bytes) => send(STDOUT, bytes),
    stderr: (bytes) => send(STDERR, bytes),
    finish: (status) => {
      send(ERROR, Buffer.from(JSON.stringify(status)));
      socket.close(1000);
    },
  });
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    const bytes = isBinary ? data : Buffer.from(data);
    if (bytes.length === 0) return;
    const channel = bytes[0];
    const payload = bytes.subarray(1);
    if (channel === STDIN) {
      if (payload.length > 0) session.stdin.push(Buffer.from(payload));
    } else if (channel === RESIZE) {
      const size = parseSize(payload.toString());
      if (size !== undefined) session.resize(size);
    } else if (channel === CLOSE && payload[0] === STDIN) session.stdin.end();
  });
  socket.on('close', () => session.clientGone());
  socket.on('error', () => session.clientGone());
  setTimeout(() => {
    if (socket.readyState === socket.OPEN) void session.run(sandbox, process);
  }, PROCESS_START_MS);
}

/** The terminal sizes in a resize payload (one or more JSON objects); the last one wins. */
export function parseSize(text: string): { width: number; height: number } | undefined {
  let size: { width: number; height: number } | undefined;
  for (const match of text.matchAll(/\{[^}]*\}/g)) {
    try {
      const parsed = JSON.parse(match[0]) as { Width?: unknown; Height?: unknown };
      if (typeof parsed.Width === 'number' && typeof parsed.Height === 'number') {
        size = { width: parsed.Width, height: parsed.Height };
      }
    } catch {
      // not a size: ignored, as the kubelet ignores it
    }
  }
  return size;
}

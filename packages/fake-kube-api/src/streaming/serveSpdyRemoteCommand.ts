import type { PodSandbox } from '../sandbox/PodSandbox.js';
import type { SpdyConnection } from '../spdy/SpdyConnection.js';
import type { SpdyStream } from '../spdy/SpdyStream.js';
import type { PodProcess } from './PodProcess.js';
import { RemoteCommandSession } from './RemoteCommandSession.js';
import { remoteCommandFailure } from './remoteCommandStatus.js';
import type { StreamingRequest } from './StreamingRequest.js';
import { parseSize } from './serveWebSocketRemoteCommand.js';

/** How long the client has to open the streams its request asked for. */
const STREAMS_WAIT_MS = 30_000;

/**
 * exec and attach over SPDY/3.1 (`X-Stream-Protocol-Version: v4.channel.k8s.io`): the client opens one
 * stream per channel (header `streamType`: `error`, `stdin`, `stdout`, `stderr`, `resize`); once those
 * its query asked for are open the command runs; its `Status` goes on the error stream, then every stream
 * and the connection end.
 */
export function serveSpdyRemoteCommand(
  connection: SpdyConnection,
  request: StreamingRequest,
  sandbox: PodSandbox,
  process: PodProcess,
): void {
  const expected = new Set(['error']);
  if (request.stdin) expected.add('stdin');
  if (request.stdout) expected.add('stdout');
  if (request.stderr && !request.tty) expected.add('stderr');
  if (request.tty) expected.add('resize');
  const streams = new Map<string, SpdyStream>();
  let isRunning = false;
  const write = (type: string, bytes: Buffer) => streams.get(type)?.write(bytes);
  const finish = (status: Record<string, unknown>) => {
    write('error', Buffer.from(JSON.stringify(status)));
    for (const stream of streams.values()) stream.end();
    connection.end();
  };
  const session = new RemoteCommandSession(request, {
    stdout: (bytes) => write('stdout', bytes),
    stderr: (bytes) => write('stderr', bytes),
    finish,
  });
  const timer = setTimeout(() => {
    if (!isRunning)
      finish(
        remoteCommandFailure(`timed out waiting for the client's streams (${[...expected].join(', ')})`),
      );
  }, STREAMS_WAIT_MS);
  connection.on('close', () => {
    clearTimeout(timer);
    session.clientGone();
  });
  connection.on('stream', (stream) => {
    const type = stream.header('streamtype') ?? '';
    stream.reply();
    streams.set(type, stream);
    if (type === 'stdin') {
      stream.on('data', (bytes) => session.stdin.push(Buffer.from(bytes)));
      stream.on('end', () => session.stdin.end());
    } else if (type === 'resize') {
      stream.on('data', (bytes) => {
        const size = parseSize(bytes.toString());
        if (size !== undefined) session.resize(size);
      });
    }
    if (isRunning || ![...expected].every((name) => streams.has(name))) return;
    clearTimeout(timer);
    isRunning = true;
    void session.run(sandbox, process);
  });
}

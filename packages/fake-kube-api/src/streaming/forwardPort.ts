import { connect, type Socket } from 'node:net';

/** The two ends a forwarded port connection relays between: the client's stream and the pod's socket. */
export interface ForwardedStream {
  write(bytes: Buffer): boolean;
  end(): void;
  whenWritable(listener: () => void): void;
  onData(listener: (bytes: Buffer) => void): void;
  onEnd(listener: () => void): void;
  /** Says why the connection to the pod failed, on the port's error channel or stream. */
  fail(message: string): void;
  /** Stop and go on reading the client's bytes (backpressure from the pod's socket). */
  pause(): void;
  resume(): void;
}

/**
 * Connects one forwarded connection to the pod's service on loopback and relays bytes both ways with
 * backpressure; each side's end half-closes the other. Without a service port (the pod serves no such
 * port) the connection fails at once, with the kubelet's words for a refused connection.
 */
export function forwardPort(
  stream: ForwardedStream,
  servicePort: number | undefined,
  pod: string,
  port: number,
): Socket | undefined {
  const fail = (reason: string) =>
    stream.fail(
      `an error occurred forwarding ${port} -> ${port}: error forwarding port ${port} to pod ${pod}: ${reason}`,
    );
  if (servicePort === undefined) {
    fail(`dial tcp4 127.0.0.1:${port}: connect: connection refused`);
    return undefined;
  }
  const socket = connect({ host: '127.0.0.1', port: servicePort, allowHalfOpen: true });
  socket.setNoDelay(true);
  socket.on('data', (bytes: Buffer) => {
    if (!stream.write(bytes)) {
      socket.pause();
      stream.whenWritable(() => socket.resume());
    }
  });
  socket.on('end', () => stream.end());
  socket.on('error', (error) => fail(error.message));
  stream.onData((bytes) => {
    if (!socket.write(bytes)) {
      stream.pause();
      socket.once('drain', () => stream.resume());
    }
  });
  stream.onEnd(() => socket.end());
  return socket;
}

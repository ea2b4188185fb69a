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
 * backpressure; each side's end half-closes the other.
 */
export function forwardPort(stream: ForwardedStream, servicePort: number, pod: string, port: number): Socket {
  const socket = connect({ host: '127.0.0.1', port: servicePort, allowHalfOpen: true });
  socket.setNoDelay(true);
  socket.on('data', (bytes: Buffer) => {
    if (!stream.write(bytes)) {
      socket.pause();
      stream.whenWritable(() => socket.resume());
    }
  });
  socket.on('end', () => stream.end());
  socket.on('error', (error) => {
    stream.fail(
      `an error occurred forwarding ${port} -> ${port}: error forwarding port ${port} to pod ${pod}: ${error.message}`,
    );
  });
  stream.onData((bytes) => {
    if (!socket.write(bytes)) {
      stream.pause();
      socket.once('drain', () => stream.resume());
    }
  });
  stream.onEnd(() => socket.end());
  return socket;
}

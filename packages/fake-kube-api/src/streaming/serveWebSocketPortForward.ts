import type { WebSocket } from 'ws';
import { forwardPort } from './forwardPort.js';

/**
 * port-forward over the WebSocket channel protocol (`v4.channel.k8s.io`, what @kubernetes/client-node's
 * `PortForward` speaks): the ports of the query (`ports=80`) get channels 2i (data) and 2i+1 (error),
 * each opened by a first message carrying the port (two bytes, little-endian); one connection per port.
 */
export function serveWebSocketPortForward(
  socket: WebSocket,
  ports: readonly number[],
  pod: string,
  servicePort: (port: number) => Promise<number | undefined>,
): void {
  const send = (channel: number, bytes: Buffer) => {
    if (socket.readyState === socket.OPEN) socket.send(Buffer.concat([Buffer.from([channel]), bytes]));
  };
  const listeners = new Map<number, (bytes: Buffer) => void>();
  const enders: (() => void)[] = [];
  socket.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    listeners.get(data.readUInt8(0))?.(data.subarray(1));
  });
  socket.on('close', () => {
    for (const end of enders) end();
  });
  ports.forEach((port, index) => {
    void servicePort(port).then((target) => {
      const dataChannel = index * 2;
      const errorChannel = dataChannel + 1;
      const portBytes = Buffer.alloc(2);
      portBytes.writeUInt16LE(port);
      send(dataChannel, portBytes);
      send(errorChannel, portBytes);
      const connection = forwardPort(
        {
          write: (bytes) => {
            send(dataChannel, bytes);
            return socket.bufferedAmount < 1024 * 1024;
          },
          end: () => {},
          whenWritable: (listener) => {
            const check = () => (socket.bufferedAmount < 1024 * 1024 ? listener() : setTimeout(check, 5));
            check();
          },
          onData: (listener) => listeners.set(dataChannel, listener),
          onEnd: (listener) => enders.push(listener),
          fail: (message) => send(errorChannel, Buffer.from(message)),
          pause: () => socket.pause(),
          resume: () => socket.resume(),
        },
        target,
        pod,
        port,
      );
      enders.push(() => connection?.destroy());
    });
  });
}

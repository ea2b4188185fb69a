import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { SpdyHeaderCodec } from './SpdyHeaderCodec.js';
import { SpdyStream, type SpdyStreamHost } from './SpdyStream.js';

const VERSION = 3;
const FLAG_FIN = 0x01;
const TYPE = {
  synStream: 1,
  synReply: 2,
  rstStream: 3,
  settings: 4,
  ping: 6,
  goaway: 7,
  headers: 8,
  windowUpdate: 9,
} as const;
/** RST_STREAM status CANCEL. */
const CANCEL = 5;
/** Receive window credit is returned in steps of at least this many bytes. */
const WINDOW_UPDATE_STEP = 32 * 1024;
/** DATA frames carry at most this many bytes (far below the 16 MiB the length field allows). */
const MAX_DATA_FRAME = 64 * 1024;

/** Events of a connection: a stream the client opened, and the connection's close. */
export interface SpdyConnectionEvents {
  stream: [SpdyStream];
  close: [];
}

/**
 * The server side of a SPDY/3.1 connection, as much as Kubernetes' streaming protocols need (what
 * kubectl's spdystream client speaks for exec, attach, cp and port-forward): streams the client opens
 * (`SYN_STREAM` with zlib-compressed headers), replies, DATA both ways with FIN half-closes, stream
 * resets, PING answered, window credit returned as data is read, GOAWAY. It opens no streams itself and
 * enforces no send window of its own (nor does spdystream).
 *
 * No npm package was usable: `spdy-transport` (the one maintained SPDY/3.1 implementation, last released
 * 2018) rejects every `SYN_STREAM` without `:method` and `:path`, which Kubernetes' streams never carry.
 */
export class SpdyConnection extends EventEmitter<SpdyConnectionEvents> implements SpdyStreamHost {
  readonly #codec = new SpdyHeaderCodec();
  readonly #streams = new Map<number, SpdyStream>();
  readonly #unacknowledged = new Map<number, number>();
  #buffered: Buffer = Buffer.alloc(0);
  /** Frames wait here while a header block is being (de)compressed, so order is kept both ways. */
  #inbound: Promise<void> = Promise.resolve();
  #outbound: Promise<void> = Promise.resolve();
  #pendingOutbound = 0;
  #isClosed = false;

  constructor(private readonly socket: Duplex) {
    super();
    socket.on('data', (chunk: Buffer) => this.#onBytes(chunk));
    socket.once('close', () => this.#close());
    // The client is done (an agent relays kubectl's close as a half-close): the session is over, and the
    // socket is ended too, or it would stay open half-closed (CLOSE_WAIT) for as long as the fake runs.
    socket.once('end', () => {
      this.#close();
      socket.end();
    });
    socket.on('error', () => this.#close());
  }

  /** Ends the connection: GOAWAY, then the socket once what was written is out. */
  end(): void {
    if (this.#isClosed) return;
    const frame = control(TYPE.goaway, 0, Buffer.alloc(8));
    this.#queue(async () => {
      this.socket.end(frame);
    });
  }

  reply(streamId: number): void {
    this.#queue(async () => {
      const block = await this.#codec.encode({});
      const payload = Buffer.alloc(4);
      payload.writeUInt32BE(streamId & 0x7fffffff);
      this.#write(control(TYPE.synReply, 0, Buffer.concat([payload, block])));
    });
  }

  writeData(streamId: number, bytes: Buffer, isLast: boolean): boolean {
    if (this.#isClosed) return true;
    if (this.#pendingOutbound > 0) {
      this.#queue(async () => {
        this.#writeDataNow(streamId, bytes, isLast);
      });
      return false;
    }
    return this.#writeDataNow(streamId, bytes, isLast);
  }

  reset(streamId: number): void {
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(streamId & 0x7fffffff, 0);
    payload.writeUInt32BE(CANCEL, 4);
    this.#queue(async () => {
      this.#write(control(TYPE.rstStream, 0, payload));
    });
    this.#streams.delete(streamId);
  }

  whenWritable(listener: () => void): void {
    if (this.socket.writableNeedDrain || this.#pendingOutbound > 0) {
      const check = () => this.whenWritable(listener);
      if (this.#pendingOutbound > 0) void this.#outbound.then(check);
      else this.socket.once('drain', check);
    } else listener();
  }

  #writeDataNow(streamId: number, bytes: Buffer, isLast: boolean): boolean {
    let canWriteMore = true;
    for (let offset = 0; offset < bytes.length || (offset === 0 && isLast); offset += MAX_DATA_FRAME) {
      const piece = bytes.subarray(offset, offset + MAX_DATA_FRAME);
      const isFinal = isLast && offset + MAX_DATA_FRAME >= bytes.length;
      const header = Buffer.alloc(8);
      header.writeUInt32BE(streamId & 0x7fffffff, 0);
      header.writeUInt32BE(((isFinal ? FLAG_FIN : 0) << 24) | piece.length, 4);
      // Header and body as two writes, not a joined copy: each copy was a fresh 64 KiB allocation that
      // the kernel paged in anew, most of the fake's CPU per forwarded MiB. A socket sends both in one
      // writev; over WebSocket they are two messages, which kubectl reads as one byte stream.
      this.socket.cork();
      canWriteMore = this.#write(header) && canWriteMore;
      if (piece.length > 0) canWriteMore = this.#write(piece) && canWriteMore;
      this.socket.uncork();
      if (bytes.length === 0) break;
    }
    return canWriteMore;
  }

  #queue(work: () => Promise<void>): void {
    this.#pendingOutbound += 1;
    this.#outbound = this.#outbound
      .then(work)
      .catch(() => {
        this.socket.destroy();
      })
      .finally(() => {
        this.#pendingOutbound -= 1;
      });
  }

  #write(bytes: Buffer): boolean {
    if (this.#isClosed || !this.socket.writable) return true;
    return this.socket.write(bytes);
  }

  #onBytes(chunk: Buffer): void {
    this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
    while (this.#buffered.length >= 8) {
      const length = this.#buffered.readUInt32BE(4) & 0xffffff;
      if (this.#buffered.length < 8 + length) return;
      const frame = this.#buffered.subarray(0, 8 + length);
      this.#buffered = this.#buffered.subarray(8 + length);
      this.#inbound = this.#inbound
        .then(() => this.#onFrame(frame))
        .catch(() => {
          this.socket.destroy();
        });
    }
  }

  async #onFrame(frame: Buffer): Promise<void> {
    if (this.#isClosed) return;
    const flags = frame.readUInt8(4);
    const payload = frame.subarray(8);
    if ((frame.readUInt8(0) & 0x80) === 0) {
      this.#onData(frame.readUInt32BE(0) & 0x7fffffff, flags, payload);
      return;
    }
    const type = frame.readUInt16BE(2);
    switch (type) {
      case TYPE.synStream: {
        const streamId = payload.readUInt32BE(0) & 0x7fffffff;
        const headers = await this.#codec.decode(payload.subarray(10));
        const stream = new SpdyStream(streamId, headers, this);
        this.#streams.set(streamId, stream);
        this.emit('stream', stream);
        if ((flags & FLAG_FIN) !== 0) stream.receivedEnd();
        return;
      }
      case TYPE.headers:
        await this.#codec.decode(payload.subarray(4)); // keeps the compression context in step
        return;
      case TYPE.rstStream: {
        const streamId = payload.readUInt32BE(0) & 0x7fffffff;
        this.#streams.get(streamId)?.closed();
        this.#streams.delete(streamId);
        return;
      }
      case TYPE.ping:
        this.#queue(async () => {
          this.#write(control(TYPE.ping, 0, Buffer.from(payload)));
        });
        return;
      case TYPE.goaway:
        this.socket.end();
        return;
      default:
        return; // SETTINGS, WINDOW_UPDATE, SYN_REPLY: nothing to do for this server
    }
  }

  #onData(streamId: number, flags: number, payload: Buffer): void {
    const stream = this.#streams.get(streamId);
    if (stream === undefined) return;
    if (payload.length > 0) {
      stream.emit('data', payload);
      const owed = (this.#unacknowledged.get(streamId) ?? 0) + payload.length;
      if (owed >= WINDOW_UPDATE_STEP) {
        this.#unacknowledged.set(streamId, 0);
        this.#sendWindowUpdate(streamId, owed);
      } else this.#unacknowledged.set(streamId, owed);
    }
    if ((flags & FLAG_FIN) !== 0) {
      stream.receivedEnd();
      this.#unacknowledged.delete(streamId);
    }
  }

  #sendWindowUpdate(streamId: number, delta: number): void {
    const payload = Buffer.alloc(8);
    payload.writeUInt32BE(streamId & 0x7fffffff, 0);
    payload.writeUInt32BE(delta & 0x7fffffff, 4);
    if (this.#pendingOutbound > 0) {
      this.#queue(async () => {
        this.#write(control(TYPE.windowUpdate, 0, payload));
      });
    } else this.#write(control(TYPE.windowUpdate, 0, payload));
  }

  #close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    for (const stream of this.#streams.values()) stream.closed();
    this.#streams.clear();
    this.#codec.close();
    this.emit('close');
  }
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16BE(0x8000 | VERSION, 0);
  header.writeUInt16BE(type, 2);
  header.writeUInt32BE((flags << 24) | payload.length, 4);
  return Buffer.concat([header, payload]);
}

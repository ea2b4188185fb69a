/** A terminal's size, as a resize message carries it. */
export interface TerminalSize {
  readonly width: number;
  readonly height: number;
}

/**
 * The streams of one command run in a fake pod, whatever protocol carries them (WebSocket channels or
 * SPDY streams). Output is written as bytes; input arrives as chunks until `null` (the client closed it).
 */
export interface CommandIo {
  /** Whether the client asked for a terminal (`-t`): the session then echoes, edits lines and writes CRLF. */
  readonly tty: boolean;
  /** The next chunk of stdin, or `null` once it ended (at once when the client sends no stdin). */
  readStdin(): Promise<Buffer | null>;
  writeStdout(bytes: Buffer | string): void;
  writeStderr(bytes: Buffer | string): void;
  /** The last size the client reported, if any. */
  terminalSize(): TerminalSize | undefined;
  /** Resolves when the client goes away, or the command is interrupted, so a long command (sleep) stops. */
  readonly gone: Promise<void>;
  /**
   * With a terminal (`-t`), a Ctrl-C the client types is a SIGINT for the foreground command, as a pty
   * makes it: the byte never reaches stdin. A command that catches it (the line shell) listens here;
   * while nothing listens, a Ctrl-C ends the command with exit code 130 (`gone` resolves for it).
   * Returns the call that stops listening. Without a terminal Ctrl-C is an ordinary byte of stdin.
   */
  onInterrupt(listener: () => void): () => void;
}

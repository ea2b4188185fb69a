/** What a terminal's line discipline does with the bytes it reads and the lines it completes. */
export interface LineDisciplineTarget {
  /** Writes to the terminal (the client's screen): the echo of what was typed. */
  echo(text: string): void;
  /** Hands the program a complete line (with its `\n`), or what Ctrl-D flushed without one. */
  deliver(bytes: Buffer): void;
  /** Ctrl-D at the start of a line: the program reads the end of its input. */
  endOfInput(): void;
  /** Ctrl-C: a SIGINT for the program. The line typed so far is dropped. */
  interrupt(): void;
}

const CTRL_C = '\x03';
const CTRL_D = '\x04';
const CTRL_U = '\x15';
const BACKSPACE = '\b';
const DELETE = '\x7f';

/**
 * The canonical mode of a pty (`stty sane`), for `kubectl exec -it` and `attach -it`: kubectl puts the
 * local terminal in raw mode and sends each key as typed, so the fake does what the kernel does on a real
 * node between the container's terminal and its program. Enter (`\r`) ends a line as `\n` (ICRNL); the
 * program reads whole lines only; what is typed is echoed, control keys as `^X` (ECHOCTL); Backspace
 * erases a character and Ctrl-U the line; Ctrl-D sends the line without its end, or at the start of a
 * line the end of input; Ctrl-C drops the line and interrupts the program. Output is translated by
 * {@link terminalOutput} (ONLCR).
 */
export class TerminalLineDiscipline {
  #line = '';
  #isEnded = false;

  constructor(private readonly target: LineDisciplineTarget) {}

  /** The bytes the client typed, in order. */
  input(chunk: Buffer): void {
    for (const char of chunk.toString('utf8')) {
      if (this.#isEnded) return;
      this.#key(char);
    }
  }

  #key(char: string): void {
    switch (char) {
      case '\r':
      case '\n': {
        const line = `${this.#line}\n`;
        this.#line = '';
        this.target.echo('\r\n');
        this.target.deliver(Buffer.from(line));
        return;
      }
      case CTRL_C:
        this.#line = '';
        this.target.echo('^C');
        this.target.interrupt();
        return;
      case CTRL_D:
        if (this.#line === '') {
          this.#isEnded = true;
          this.target.endOfInput();
          return;
        }
        this.target.deliver(Buffer.from(this.#line));
        this.#line = '';
        return;
      case BACKSPACE:
      case DELETE: {
        const last = [...this.#line].at(-1);
        if (last === undefined) return;
        this.#line = this.#line.slice(0, -last.length);
        this.target.echo(isControl(last) ? '\b \b\b \b' : '\b \b');
        return;
      }
      case CTRL_U:
        for (const typed of [...this.#line].reverse())
          this.target.echo(isControl(typed) ? '\b \b\b \b' : '\b \b');
        this.#line = '';
        return;
      default:
        this.#line += char;
        this.target.echo(isControl(char) ? `^${String.fromCharCode(char.charCodeAt(0) + 64)}` : char);
    }
  }
}

/** Output to a terminal as a pty's ONLCR makes it: each `\n` a `\r\n` (one already there is left alone). */
export function terminalOutput(bytes: Buffer): Buffer {
  if (!bytes.includes(0x0a)) return bytes;
  return Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

/** A control character a terminal echoes as `^X` (tab excepted). */
function isControl(char: string): boolean {
  const code = char.charCodeAt(0);
  return (code < 0x20 && char !== '\t') || code === 0x7f;
}

import { describe, expect, it } from 'vitest';
import { TerminalLineDiscipline, terminalOutput } from '../../src/streaming/TerminalLineDiscipline.js';

/** Types `keys` into a discipline and records what it does, in order. */
function typing(...keys: string[]) {
  const events: string[] = [];
  const terminal = new TerminalLineDiscipline({
    echo: (text) => events.push(`echo ${JSON.stringify(text)}`),
    deliver: (bytes) => events.push(`read ${JSON.stringify(bytes.toString())}`),
    endOfInput: () => events.push('end'),
    interrupt: () => events.push('interrupt'),
  });
  for (const key of keys) terminal.input(Buffer.from(key));
  const echoed = events
    .filter((event) => event.startsWith('echo '))
    .map((event) => JSON.parse(event.slice(5)) as string)
    .join('');
  return { events, echoed, read: events.filter((event) => !event.startsWith('echo ')) };
}

describe("the fake pty's line discipline (canonical mode)", () => {
  it('echoes what is typed and hands the command whole lines, Enter as a newline', () => {
    const { echoed, read } = typing('ls -', 'l\r', 'pwd\n');
    expect(echoed).toBe('ls -l\r\npwd\r\n');
    expect(read).toEqual(['read "ls -l\\n"', 'read "pwd\\n"']);
  });

  it('erases a character with Backspace or DEL, a whole character of several bytes, and the line with Ctrl-U', () => {
    const { echoed, read } = typing('cas\x7ft', 'é\b!\r', 'oops\x15ok\r', '\x7f\r');
    expect(read).toEqual(['read "cat!\\n"', 'read "ok\\n"', 'read "\\n"']);
    expect(echoed).toBe('cas\b \bté\b \b!\r\noops\b \b\b \b\b \b\b \bok\r\n\r\n');
  });

  it('Ctrl-D sends the line typed so far without its end, and at the start of a line ends the input', () => {
    expect(typing('half\x04', 'line\r', '\x04', 'ignored').read).toEqual([
      'read "half"',
      'read "line\\n"',
      'end',
    ]);
  });

  it('Ctrl-C drops the line typed so far, echoes ^C and interrupts; other control keys echo as ^X', () => {
    const { events } = typing('sleep 1\x03', '\x1b[A\r');
    expect(events).toEqual([
      ...[...'sleep 1'].map((char) => `echo "${char}"`),
      'echo "^C"',
      'interrupt',
      'echo "^["',
      'echo "["',
      'echo "A"',
      'echo "\\r\\n"',
      'read "\\u001b[A\\n"',
    ]);
  });

  it('writes output with CRLF, once, and leaves output without a newline as it is', () => {
    expect(terminalOutput(Buffer.from('a\nb\r\nc')).toString()).toBe('a\r\nb\r\nc');
    const binary = Buffer.from([0xff, 0x00, 0x0a, 0x80]);
    expect([...terminalOutput(binary)]).toEqual([0xff, 0x00, 0x0d, 0x0a, 0x80]);
    const plain = Buffer.from('no newline');
    expect(terminalOutput(plain)).toBe(plain);
  });
});

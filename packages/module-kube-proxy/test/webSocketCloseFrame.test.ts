import { describe, expect, it } from 'vitest';
import { webSocketCloseFrame } from '../src/http/WebSocketFrameBoundary.js';

/** The status code and reason of an unmasked close frame (payloads under 126 bytes). */
function readCloseFrame(frame: Buffer): { code: number; reason: Buffer } {
  expect(frame[0]).toBe(0x88); // FIN + close
  const length = frame[1] as number;
  expect(frame.length).toBe(2 + length);
  return { code: frame.readUInt16BE(2), reason: frame.subarray(4) };
}

describe('webSocketCloseFrame', () => {
  it('carries a short reason as it is', () => {
    const { code, reason } = readCloseFrame(webSocketCloseFrame(1001, 'kas ended the connection: bye'));
    expect(code).toBe(1001);
    expect(reason.toString()).toBe('kas ended the connection: bye');
  });

  it('fits the drain cut of a one-hour budget in a close frame without cutting it', () => {
    const why =
      'kas ended the connection: the replica is stopping; its drain budget (kubeProxy.drainBudget, 1h) ended: reconnect';
    expect(readCloseFrame(webSocketCloseFrame(1001, why)).reason.toString()).toBe(why);
  });

  it('ends a reason longer than 123 bytes in an ellipsis at a character boundary, as valid UTF-8', () => {
    for (let shift = 0; shift < 4; shift++) {
      // Three-byte characters at every offset: the cut lands inside one for some shift.
      const why = `${'x'.repeat(shift)}${'drain budget — €'.repeat(20)}`;
      const { reason } = readCloseFrame(webSocketCloseFrame(1001, why));
      expect(reason.length).toBeLessThanOrEqual(123);
      const text = new TextDecoder('utf-8', { fatal: true }).decode(reason);
      expect(text.endsWith('…')).toBe(true);
      expect(why.startsWith(text.slice(0, -1))).toBe(true);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { EMPTY_BODY, FrameOrder } from '../src/index.js';

const head = { status: 200, headers: [] };
const body = Buffer.from('x');

describe('the frame order rules', () => {
  it('accepts head, body pieces and end, also all in one frame', () => {
    const order = new FrameOrder('response');
    expect(order.accept({ head, body: EMPTY_BODY, end: false })).toBeUndefined();
    expect(order.accept({ body, end: false })).toBeUndefined();
    expect(order.accept({ body, end: true })).toBeUndefined();
    expect(order.isEnded).toBe(true);
    expect(new FrameOrder('request').accept({ head, body, end: true })).toBeUndefined();
  });

  it('accepts an error as the first response frame, and after the head', () => {
    const error = { code: 'UPSTREAM_UNREACHABLE', message: 'refused' };
    expect(new FrameOrder('response').accept({ body: EMPTY_BODY, end: false, error })).toBeUndefined();
    const order = new FrameOrder('response');
    order.accept({ head, body, end: false });
    expect(order.accept({ body: EMPTY_BODY, end: false, error })).toBeUndefined();
    expect(order.isEnded).toBe(true);
  });

  it.each([
    ['a body before the head', [], { body, end: false }, 'KAS_FRAME_OUT_OF_ORDER'],
    ['an end before the head', [], { body: EMPTY_BODY, end: true }, 'KAS_FRAME_OUT_OF_ORDER'],
    [
      'a second head',
      [{ head, body: EMPTY_BODY, end: false }],
      { head, body: EMPTY_BODY, end: false },
      'KAS_FRAME_OUT_OF_ORDER',
    ],
    [
      'a frame after the end',
      [{ head, body: EMPTY_BODY, end: true }],
      { body, end: false },
      'KAS_FRAME_OUT_OF_ORDER',
    ],
    [
      'an empty frame',
      [{ head, body: EMPTY_BODY, end: false }],
      { body: EMPTY_BODY, end: false },
      'KAS_FRAME_UNKNOWN',
    ],
    [
      'an error with an end',
      [],
      { body: EMPTY_BODY, end: true, error: { code: 'X', message: 'y' } },
      'KAS_FRAME_OUT_OF_ORDER',
    ],
  ])('refuses %s', (_, before, frame, code) => {
    const order = new FrameOrder('response');
    for (const earlier of before) expect(order.accept(earlier)).toBeUndefined();
    expect(order.accept(frame)).toMatchObject({ code });
  });
});

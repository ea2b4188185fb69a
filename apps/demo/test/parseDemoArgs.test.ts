import { describe, expect, it } from 'vitest';
import { parseDemoArgs } from '../src/demo/parseDemoArgs.js';
import { DemoError } from '../src/index.js';

describe('the demo command line', () => {
  it('--web serves the live page on a free port, or on the port given', () => {
    expect(parseDemoArgs([], '/r').webPort).toBeUndefined();
    expect(parseDemoArgs(['--web'], '/r').webPort).toBe(0);
    expect(parseDemoArgs(['--web', '8150', '--legacy'], '/r')).toMatchObject({
      webPort: 8150,
      stopOrders: ['legacy'],
    });
  });

  it('refuses a --web value that is not a port, saying what to give', () => {
    const refuse = () => parseDemoArgs(['--web', 'yes'], '/r');
    expect(refuse).toThrow(DemoError);
    expect(refuse).toThrow('--web yes: not a port');
  });
});

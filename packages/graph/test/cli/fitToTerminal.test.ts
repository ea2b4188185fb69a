import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { fitToTerminal } from '../../src/cli/watch/fitToTerminal.js';

const plain = pc.createColors(false);
const view = [
  'headline',
  'stop plan:',
  '  ▶ first',
  '    a — stopping',
  '  · second',
  '    b — running',
].join('\n');

describe('the live view in a small terminal', () => {
  it('is drawn whole when it fits, the cursor line below it included', () => {
    expect(fitToTerminal(view, { rows: 7, columns: 80 }, plain)).toBe(view);
  });

  it('drops lines from the bottom and says how many, never the headline', () => {
    expect(fitToTerminal(view, { rows: 5, columns: 80 }, plain).split('\n')).toEqual([
      'headline',
      'stop plan:',
      '  ▶ first',
      '… 3 more lines',
    ]);
  });

  it('counts a line that wraps at the terminal width as the rows it takes', () => {
    const wide = `${'x'.repeat(25)}\nshort\nlast`;
    expect(fitToTerminal(wide, { rows: 4, columns: 10 }, plain).split('\n')).toEqual([
      'xxxxxxxxxx',
      'xxxxxxxxxx',
      '… 3 more lines',
    ]);
  });

  it('keeps the headline alone in a terminal of two rows', () => {
    expect(fitToTerminal(view, { rows: 2, columns: 80 }, plain)).toBe('headline');
  });
});

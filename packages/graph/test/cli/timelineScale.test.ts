import { describe, expect, it } from 'vitest';
import { renderTimeline } from '../../src/cli/timeline/renderTimeline.js';
import { timelineSpec } from '../../src/cli/timeline/timelineSpec.js';
import type { Timeline } from '../../src/cli/timeline/toTimeline.js';

describe('timeline of a large app', () => {
  it('draws 1,500 modules in the order of the trace (at 1,000 the row sort overflowed the stack in vega)', async () => {
    // Row order is not alphabetical: m1499 first, m0 last.
    const modules = Array.from({ length: 1_500 }, (_, i) => `m${1_499 - i}`);
    const timeline: Timeline = {
      modules,
      bars: modules.map((module, i) => ({
        module,
        phase: 'stopping',
        startS: i / 1_000,
        endS: i / 1_000 + 0.5,
        outcome: 'done',
      })),
      marks: [{ atS: 0, kind: 'signal', label: 'SIGTERM' }],
      origin: 'SIGTERM',
    };
    const svg = await renderTimeline(timelineSpec(timeline, 'a large app'));
    // The y axis labels, top to bottom, are the modules in trace order.
    const labels = [...svg.matchAll(/<text[^>]*>(m\d+)<\/text>/g)].map((match) => match[1]);
    expect(labels.slice(0, 3)).toEqual(['m1499', 'm1498', 'm1497']);
    expect(labels).toContain('m0');
    expect(labels.indexOf('m0')).toBeGreaterThan(labels.indexOf('m1'));
  });
});

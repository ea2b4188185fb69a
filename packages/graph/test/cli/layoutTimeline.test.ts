import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  APP_LABEL_FONT_PX,
  layoutTimeline,
  MODULE_LABEL_FONT_PX,
  type PlacedLabel,
} from '../../src/cli/timeline/layoutTimeline.js';
import { type LabelBox, labelBox } from '../../src/cli/timeline/measureLabel.js';
import type { Timeline, TimelineMark } from '../../src/cli/timeline/toTimeline.js';

const MODULES = ['agent-grpc-server', 'tunnel-tracker', 'kube-proxy', 'private-api', 'redis-connection'];

/** Marks bunched in time (many at the same moment, as a cut and the mark a module makes at its cut). */
const markArbitrary = (module: string | undefined): fc.Arbitrary<TimelineMark> =>
  fc
    .record({
      atS: fc.oneof(fc.constantFrom(0, 1.5, 30), fc.double({ min: 0, max: 30, noNaN: true })),
      label: fc.oneof(
        fc.constantFrom(
          'drain.cut',
          'cut (budget)',
          'listener.closed',
          'SIGTERM (cut)',
          'failed: ECONNRESET',
        ),
        fc.string({ minLength: 1, maxLength: 40, unit: 'grapheme' }),
      ),
    })
    .map(({ atS, label }) => ({ ...(module === undefined ? {} : { module }), atS, kind: 'mark', label }));

const timelineArbitrary: fc.Arbitrary<Timeline> = fc
  .record({
    moduleMarks: fc.array(
      fc.constantFrom(...MODULES).chain((module) => markArbitrary(module)),
      { maxLength: 30 },
    ),
    appMarks: fc.array(markArbitrary(undefined), { maxLength: 6 }),
  })
  .map(({ moduleMarks, appMarks }) => ({
    modules: MODULES,
    bars: MODULES.map((module) => ({ module, phase: 'stopping', startS: 0, endS: 30, outcome: 'cut' })),
    marks: [...moduleMarks, ...appMarks],
    origin: 'the stop began',
  }));

const overlaps = (a: LabelBox, b: LabelBox) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

const boxOf = (label: PlacedLabel, fontSizePx: number) =>
  labelBox(label.text, fontSizePx, label.xPx, label.yPx);

describe('timeline label layout, on random marks', () => {
  it('never overlaps two labels, keeps each module label between its row top and its bar, and app labels above the plot', () => {
    fc.assert(
      fc.property(timelineArbitrary, (timeline) => {
        const layout = layoutTimeline(timeline);
        const moduleBoxes = layout.moduleLabels.map((label) => ({
          label,
          box: boxOf(label, MODULE_LABEL_FONT_PX),
        }));
        const appBoxes = layout.appLabels.map((label) => ({ label, box: boxOf(label, APP_LABEL_FONT_PX) }));
        const all = [...moduleBoxes, ...appBoxes];
        all.forEach((a, index) => {
          for (const b of all.slice(index + 1))
            expect(overlaps(a.box, b.box), `${a.label.text} / ${b.label.text}`).toBe(false);
        });
        for (const { label, box } of moduleBoxes) {
          const rowTopPx = MODULES.indexOf(label.mark.module ?? '') * layout.rowStepPx;
          const barTopPx = rowTopPx + layout.rowStepPx / 2 + layout.barOffsetPx - layout.barHeightPx / 2;
          expect(box.top).toBeGreaterThanOrEqual(rowTopPx);
          expect(box.bottom).toBeLessThan(barTopPx - 1); // the bar's outline reaches 1 px above it
        }
        for (const { box } of appBoxes) expect(box.bottom).toBeLessThan(0);
        for (const { box } of all) {
          if (box.right - box.left <= layout.plotWidthPx) {
            expect(box.left).toBeGreaterThanOrEqual(0);
            expect(box.right).toBeLessThanOrEqual(layout.plotWidthPx + 1e-9);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('ends the time axis on a round number at or past the last moment', () => {
    const layout = layoutTimeline({
      modules: ['web'],
      bars: [{ module: 'web', phase: 'stopping', startS: 0, endS: 14.1, outcome: 'done' }],
      marks: [],
      origin: 'the stop began',
    });
    expect(layout.domainS).toEqual([0, 15]);
  });
});

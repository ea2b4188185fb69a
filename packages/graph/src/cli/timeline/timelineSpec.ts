import type { TopLevelSpec } from 'vega-lite';
import { drawableText } from './drawableText.js';
import {
  APP_LABEL_FONT_PX,
  layoutTimeline,
  MODULE_LABEL_FONT_PX,
  type PlacedLabel,
} from './layoutTimeline.js';
import { labelBox } from './measureLabel.js';
import type { Timeline, TimelineBar } from './toTimeline.js';

const PHASES = ['starting', 'running', 'stopping'];
const PHASE_COLOURS = ['#9ecae9', '#4c78a8', '#f58518'];
const MARK_KINDS = ['mark', 'drain cut', 'stop overdue', 'failed'];
const CUT_RED = '#d62728';
const UNFINISHED_OPACITY = 0.45;
/** A label's white ground reaches this far past its glyphs: less than the layout's gaps, so grounds never touch a bar. */
const LABEL_GROUND_PAD_PX = 1;
/** How a bar's phase ended, as its outline and opacity show it; `done` draws neither. */
const OUTCOMES: readonly TimelineBar['outcome'][] = ['done', 'cut', 'failed', 'unfinished'];
const OUTCOME_LEGEND: Readonly<Record<TimelineBar['outcome'], string>> = {
  done: 'done',
  cut: 'cut (red outline)',
  failed: 'failed (red outline)',
  unfinished: 'unfinished (faded)',
};

/**
 * A Vega-Lite Gantt chart of a timeline: a row per module with its phase bars, module marks (named
 * marks, drain cuts, failures) as symbols with labels, and app-wide moments (signals, deadline) as rules.
 * Labels are placed by `layoutTimeline`, in lanes of their own, so none overlaps another or a bar.
 */
export function timelineSpec(timeline: Timeline, title: string): TopLevelSpec {
  const layout = layoutTimeline(timeline);
  // The row order is the scale's domain: a custom sort list compiles to one nested expression per
  // module, whose parsing exhausted the stack at about 1,000 modules. No padding: row i spans
  // [i, i + 1) * rowStepPx, where the layout put its labels.
  const y = {
    field: 'module',
    type: 'nominal' as const,
    scale: { domain: [...timeline.modules], paddingInner: 0, paddingOuter: 0 },
    sort: null,
    title: null,
    axis: { tickOffset: layout.barOffsetPx }, // the labels follow the ticks
  };
  const x = {
    type: 'quantitative' as const,
    title: `seconds since ${timeline.origin}`,
    scale: { domain: [...layout.domainS], nice: false, zero: false },
  };
  const moduleMarks = timeline.marks.filter((mark) => mark.module !== undefined);
  const appMarks = timeline.marks.filter((mark) => mark.module === undefined);
  const subtitle =
    timeline.wallClock === undefined ? [] : [`app started ${new Date(timeline.wallClock).toISOString()}`];
  return {
    title: { text: drawableText(title), subtitle }, // the title names the trace file, whose name may hold any character
    width: layout.plotWidthPx,
    // A height, not a step: the label layers' y is in pixels, which a step-sized view does not allow.
    height: Math.max(1, timeline.modules.length) * layout.rowStepPx,
    config: { font: 'Helvetica, Arial, sans-serif' },
    layer: [
      {
        data: { values: timeline.bars.map((bar) => ({ ...bar })) },
        mark: { type: 'bar', height: layout.barHeightPx, yOffset: layout.barOffsetPx, cornerRadius: 2 },
        encoding: {
          y,
          x: { ...x, field: 'startS' },
          x2: { field: 'endS' },
          color: {
            field: 'phase',
            type: 'nominal',
            scale: { domain: PHASES, range: PHASE_COLOURS },
            legend: { title: 'phase', orient: 'bottom', direction: 'vertical' },
          },
          // a drain that was cut, or a phase that failed, gets a red outline; one the trace ends in is faded
          stroke: {
            field: 'outcome',
            type: 'nominal',
            scale: { domain: [...OUTCOMES], range: ['transparent', CUT_RED, CUT_RED, 'transparent'] },
            legend: outcomeLegend,
          },
          opacity: {
            condition: { test: "datum.outcome === 'unfinished'", value: UNFINISHED_OPACITY },
            value: 1,
          },
          strokeWidth: { value: 2 },
          tooltip: [
            { field: 'module' },
            { field: 'phase' },
            { field: 'outcome' },
            { field: 'startS', title: 'from (s)', format: '.3f' },
            { field: 'endS', title: 'to (s)', format: '.3f' },
          ],
        },
      },
      {
        data: { values: appMarks.map((mark) => ({ ...mark })) },
        mark: { type: 'rule', strokeDash: [4, 3], color: '#444444' },
        encoding: { x: { ...x, field: 'atS' } },
      },
      labelLayer(layout.appLabels, APP_LABEL_FONT_PX, '#444444'),
      {
        data: { values: moduleMarks.map((mark) => ({ ...mark })) },
        mark: {
          type: 'point',
          filled: true,
          size: 90,
          color: CUT_RED,
          opacity: 1,
          yOffset: layout.barOffsetPx,
        },
        encoding: {
          y,
          x: { ...x, field: 'atS' },
          shape: {
            field: 'kind',
            type: 'nominal',
            scale: { domain: MARK_KINDS, range: ['diamond', 'cross', 'square', 'triangle-down'] },
            legend: { title: 'event', orient: 'bottom', direction: 'vertical' },
          },
          tooltip: [
            { field: 'module' },
            { field: 'label' },
            { field: 'atS', title: 'at (s)', format: '.3f' },
          ],
        },
      },
      labelLayer(layout.moduleLabels, MODULE_LABEL_FONT_PX, '#333333'),
    ],
  };
}

const outcomeLegend = {
  title: 'bar',
  orient: 'bottom' as const,
  direction: 'vertical' as const,
  values: ['cut', 'failed', 'unfinished'],
  labelExpr: `${JSON.stringify(OUTCOME_LEGEND)}[datum.value]`,
  symbolType: 'square',
  symbolFillColor: '#4c78a8',
  symbolStrokeWidth: 2,
  labelLimit: 0,
  // the fading too: the bars' opacity is a condition, which has no legend of its own
  encoding: {
    symbols: {
      opacity: { condition: { test: "datum.value === 'unfinished'", value: UNFINISHED_OPACITY }, value: 1 },
    },
  },
};

/**
 * Labels at the pixels the layout chose (`scale: null`: the values are pixels, not data), each on a white
 * ground that keeps the grid and the dashed rules of signals from striking it through.
 */
function labelLayer(labels: readonly PlacedLabel[], fontSizePx: number, color: string) {
  const pixels = { type: 'quantitative' as const, scale: null, axis: null };
  return {
    data: {
      values: labels.map(({ text, xPx, yPx, mark }) => {
        const box = labelBox(text, fontSizePx, xPx, yPx);
        return {
          label: text,
          atS: mark.atS,
          xPx,
          yPx,
          groundLeftPx: box.left - LABEL_GROUND_PAD_PX,
          groundRightPx: box.right + LABEL_GROUND_PAD_PX,
          groundTopPx: box.top - LABEL_GROUND_PAD_PX,
          groundBottomPx: box.bottom + LABEL_GROUND_PAD_PX,
        };
      }),
    },
    layer: [
      {
        mark: { type: 'rect' as const, color: 'white', opacity: 0.85 },
        encoding: {
          x: { ...pixels, field: 'groundLeftPx' },
          x2: { field: 'groundRightPx' },
          y: { ...pixels, field: 'groundTopPx' },
          y2: { field: 'groundBottomPx' },
        },
      },
      {
        mark: {
          type: 'text' as const,
          align: 'left' as const,
          baseline: 'alphabetic' as const,
          fontSize: fontSizePx,
          color,
        },
        encoding: {
          x: { ...pixels, field: 'xPx' },
          y: { ...pixels, field: 'yPx' },
          text: { field: 'label' },
          tooltip: [{ field: 'label' }, { field: 'atS', title: 'at (s)', format: '.3f' }],
        },
      },
    ],
  };
}

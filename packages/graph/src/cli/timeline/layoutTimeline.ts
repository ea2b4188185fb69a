import { labelExtentPx, labelWidthPx } from './measureLabel.js';
import type { Timeline, TimelineMark } from './toTimeline.js';

/** A label where the chart draws it: left-aligned at `xPx`, on the baseline `yPx`, in the plot's pixels. */
export interface PlacedLabel {
  readonly text: string;
  readonly xPx: number;
  readonly yPx: number;
  readonly mark: TimelineMark;
}

/** Where things go on the chart: the time axis, the rows and every label. */
export interface TimelineLayout {
  readonly plotWidthPx: number;
  /** The time axis, in seconds: from 0 (or earlier) to a round number past the last moment. */
  readonly domainS: readonly [number, number];
  /** The height of a module's row: its label lanes above its bar, then the bar. */
  readonly rowStepPx: number;
  readonly barHeightPx: number;
  /** How far a bar's centre sits below its row's centre, where the axis puts the module's name. */
  readonly barOffsetPx: number;
  /** Labels of module marks, in lanes above their row's bar. */
  readonly moduleLabels: readonly PlacedLabel[];
  /** Labels of app-wide moments (signals, the deadline), in lanes above the plot. */
  readonly appLabels: readonly PlacedLabel[];
}

export const MODULE_LABEL_FONT_PX = 9;
export const APP_LABEL_FONT_PX = 10;
const PLOT_WIDTH_PX = 900;
const BAR_HEIGHT_PX = 16;
const MIN_ROW_STEP_PX = 30;
const ROW_TOP_PAD_PX = 3;
const BAR_BOTTOM_PAD_PX = 7;
/** Between a lane's lowest glyph and the bar's top: the bar's 2 px outline reaches 1 px above it. */
const LABEL_BAR_GAP_PX = 3;
const MODULE_LANE_PX = 11;
const APP_LANE_PX = 12;
/** The least room between two labels on one lane. */
const LABEL_GAP_PX = 6;
/** A module label starts this far left of its mark's centre, so it begins over the symbol. */
const MODULE_LABEL_LEAD_PX = 4;
/** An app label starts this far right of its dashed rule. */
const APP_LABEL_LEAD_PX = 3;

/**
 * Lays a timeline out so that no two labels overlap and none crosses a bar: each row has lanes above its
 * bar, a label takes the lowest lane where it clears the labels already there (text measured in the
 * chart's font), and the row grows to the most lanes any row needs. App-wide labels stack the same way
 * above the plot.
 */
export function layoutTimeline(timeline: Timeline): TimelineLayout {
  let firstS = 0;
  let lastS = 0;
  for (const atS of [
    ...timeline.bars.flatMap((bar) => [bar.startS, bar.endS]),
    ...timeline.marks.map((mark) => mark.atS),
  ]) {
    firstS = Math.min(firstS, atS);
    lastS = Math.max(lastS, atS);
  }
  const domainS: [number, number] = [firstS, niceEnd(lastS)];
  const toPx = (atS: number) => ((atS - domainS[0]) / (domainS[1] - domainS[0])) * PLOT_WIDTH_PX;

  const rows = new Map<string, TimelineMark[]>();
  const appMarks: TimelineMark[] = [];
  for (const mark of timeline.marks) {
    if (mark.module === undefined) appMarks.push(mark);
    else {
      const row = rows.get(mark.module) ?? [];
      row.push(mark);
      rows.set(mark.module, row);
    }
  }
  const moduleLanes = [...rows.values()].map((marks) =>
    stackInLanes(marks, MODULE_LABEL_FONT_PX, (mark) => toPx(mark.atS) - MODULE_LABEL_LEAD_PX),
  );
  const laneCount = moduleLanes.flat().reduce((count, label) => Math.max(count, label.lane + 1), 0);
  const rowStepPx = Math.max(
    MIN_ROW_STEP_PX,
    ROW_TOP_PAD_PX + laneCount * MODULE_LANE_PX + LABEL_BAR_GAP_PX + BAR_HEIGHT_PX + BAR_BOTTOM_PAD_PX,
  );
  const barTopPx = rowStepPx - BAR_BOTTOM_PAD_PX - BAR_HEIGHT_PX;
  const rowIndex = new Map(timeline.modules.map((module, index) => [module, index]));
  const lowestBaselinePx = barTopPx - LABEL_BAR_GAP_PX - labelExtentPx(MODULE_LABEL_FONT_PX).descentPx;
  const moduleLabels = moduleLanes.flat().map(({ mark, xPx, lane }) => ({
    text: mark.label,
    xPx,
    yPx: (rowIndex.get(mark.module ?? '') ?? 0) * rowStepPx + lowestBaselinePx - lane * MODULE_LANE_PX,
    mark,
  }));

  const appBaselinePx = -1 - labelExtentPx(APP_LABEL_FONT_PX).descentPx;
  const appLabels = stackInLanes(
    appMarks,
    APP_LABEL_FONT_PX,
    (mark) => toPx(mark.atS) + APP_LABEL_LEAD_PX,
  ).map(({ mark, xPx, lane }) => ({ text: mark.label, xPx, yPx: appBaselinePx - lane * APP_LANE_PX, mark }));

  return {
    plotWidthPx: PLOT_WIDTH_PX,
    domainS,
    rowStepPx,
    barHeightPx: BAR_HEIGHT_PX,
    barOffsetPx: barTopPx + BAR_HEIGHT_PX / 2 - rowStepPx / 2,
    moduleLabels,
    appLabels,
  };
}

/**
 * Interval partitioning: labels from left to right, each on the lowest lane whose last label ends (plus a
 * gap) before it begins. A label is kept inside the plot: one that would run past its right edge ends there.
 */
function stackInLanes(
  marks: readonly TimelineMark[],
  fontSizePx: number,
  leftOf: (mark: TimelineMark) => number,
): { readonly mark: TimelineMark; readonly xPx: number; readonly lane: number }[] {
  const placed = marks
    .map((mark) => {
      const widthPx = labelWidthPx(mark.label, fontSizePx);
      const xPx = Math.max(0, Math.min(leftOf(mark), PLOT_WIDTH_PX - widthPx));
      return { mark, xPx, widthPx };
    })
    .sort((a, b) => a.xPx - b.xPx);
  const laneEnds: number[] = [];
  return placed.map(({ mark, xPx, widthPx }) => {
    let lane = laneEnds.findIndex((endPx) => endPx + LABEL_GAP_PX <= xPx);
    if (lane === -1) lane = laneEnds.length;
    laneEnds[lane] = xPx + widthPx;
    return { mark, xPx, lane };
  });
}

/** The end of the time axis: the first round number (1, 2 or 5 times a power of ten, of ~10 ticks) at or past `maxS`. */
function niceEnd(maxS: number): number {
  if (maxS <= 0) return 1;
  const roughStep = maxS / 10;
  const power = 10 ** Math.floor(Math.log10(roughStep));
  const error = roughStep / power;
  const step =
    power * (error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1);
  return Math.ceil(maxS / step - 1e-9) * step;
}

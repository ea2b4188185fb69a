import type { TopLevelSpec } from 'vega-lite';
import type { Timeline } from './toTimeline.js';

const PHASES = ['starting', 'running', 'stopping'];
const PHASE_COLOURS = ['#9ecae9', '#4c78a8', '#f58518'];
const MARK_KINDS = ['mark', 'drain cut', 'stop overdue', 'failed'];

/**
 * A Vega-Lite Gantt chart of a timeline: a row per module with its phase bars, module marks (named
 * marks, drain cuts, failures) as symbols with labels, and app-wide moments (signals, deadline) as rules.
 */
export function timelineSpec(timeline: Timeline, title: string): TopLevelSpec {
  // The row order is the scale's domain: a custom sort list compiles to one nested expression per
  // module, whose parsing exhausted the stack at about 1,000 modules.
  const y = {
    field: 'module',
    type: 'nominal' as const,
    scale: { domain: [...timeline.modules] },
    sort: null,
    title: null,
  };
  const x = { type: 'quantitative' as const, title: `seconds since ${timeline.origin}` };
  const moduleMarks = timeline.marks.filter((mark) => mark.module !== undefined);
  const appMarks = timeline.marks.filter((mark) => mark.module === undefined);
  const subtitle =
    timeline.wallClock === undefined ? [] : [`app started ${new Date(timeline.wallClock).toISOString()}`];
  return {
    title: { text: title, subtitle },
    width: 900,
    height: { step: 30 },
    config: { font: 'Helvetica, Arial, sans-serif' },
    layer: [
      {
        data: { values: timeline.bars.map((bar) => ({ ...bar })) },
        mark: { type: 'bar', height: 16, cornerRadius: 2 },
        encoding: {
          y,
          x: { ...x, field: 'startS' },
          x2: { field: 'endS' },
          color: {
            field: 'phase',
            type: 'nominal',
            scale: { domain: PHASES, range: PHASE_COLOURS },
            legend: { title: 'phase', orient: 'bottom' },
          },
          opacity: { condition: { test: "datum.outcome === 'unfinished'", value: 0.45 }, value: 1 },
          // a drain that was cut, or a phase that failed, gets a red outline
          stroke: {
            condition: { test: "datum.outcome === 'cut' || datum.outcome === 'failed'", value: '#d62728' },
            value: null,
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
      {
        data: { values: appMarks.map((mark) => ({ ...mark })) },
        mark: {
          type: 'text',
          align: 'left',
          baseline: 'bottom',
          dx: 3,
          dy: -2,
          fontSize: 10,
          color: '#444444',
        },
        encoding: { x: { ...x, field: 'atS' }, y: { value: 0 }, text: { field: 'label' } },
      },
      {
        data: { values: moduleMarks.map((mark) => ({ ...mark })) },
        mark: { type: 'point', filled: true, size: 90, color: '#d62728', opacity: 1 },
        encoding: {
          y,
          x: { ...x, field: 'atS' },
          shape: {
            field: 'kind',
            type: 'nominal',
            scale: { domain: MARK_KINDS, range: ['diamond', 'cross', 'square', 'triangle-down'] },
            legend: { title: 'event', orient: 'bottom' },
          },
          tooltip: [
            { field: 'module' },
            { field: 'label' },
            { field: 'atS', title: 'at (s)', format: '.3f' },
          ],
        },
      },
      {
        data: { values: moduleMarks.map((mark) => ({ ...mark })) },
        mark: {
          type: 'text',
          align: 'left',
          baseline: 'middle',
          dx: 7,
          dy: -9,
          fontSize: 9,
          color: '#333333',
        },
        encoding: { y, x: { ...x, field: 'atS' }, text: { field: 'label' } },
      },
    ],
  };
}

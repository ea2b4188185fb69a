// Where the stop plan's cards go: a column per depth (a stage sits right of every stage it follows), or
// one stage under the other when panels stand side by side, and arrows for "follows" that never pass
// under a card: an arrow that skips columns runs in the gaps between them and in a lane below the cards
// it passes.
import { CARD_WIDTH } from './drawStageCard.js';
import { escapeText } from './format.js';

const GAP_X = 70;
const GAP_Y = 26;
const MARGIN = 10;
const GUTTER = 60; // the stacked layout's arrows run in a gutter left of the stages
const LANE_GAP = 14; // from the lowest card a skipping arrow passes to its lane
const LANE_STEP = 8; // between the lanes (and the vertical runs) of arrows that skip columns
const CORNER = 6;

/** One stage under the other, in plan order (every stage below those it begins after). */
function stackedLayout(stages, cards) {
  const boxes = new Map();
  let y = MARGIN;
  for (const stage of stages) {
    const { height } = cards.get(stage.id);
    boxes.set(stage.id, { x: GUTTER, y, height, column: 0 });
    y += height + GAP_Y;
  }
  return { boxes, columns: [stages], width: GUTTER + CARD_WIDTH + MARGIN, height: y - GAP_Y + MARGIN };
}

function columnLayout(stages, cards) {
  const byId = new Map(stages.map((stage) => [stage.id, stage]));
  const depth = new Map();
  const depthOf = (stage) => {
    if (!depth.has(stage.id)) {
      depth.set(stage.id, 0); // a cycle cannot happen in a resolved plan; this only guards the recursion
      const before = stage.follows.map((id) => byId.get(id));
      depth.set(stage.id, Math.max(-1, ...before.filter(Boolean).map(depthOf)) + 1);
    }
    return depth.get(stage.id);
  };
  const columns = [];
  for (const stage of stages) {
    const column = depthOf(stage);
    columns[column] ??= [];
    columns[column].push(stage);
  }
  const boxes = new Map();
  columns.forEach((column, index) => {
    let y = MARGIN;
    for (const stage of column) {
      const { height } = cards.get(stage.id);
      boxes.set(stage.id, { x: MARGIN + index * (CARD_WIDTH + GAP_X), y, height, column: index });
      y += height + GAP_Y;
    }
  });
  const width = columns.length * (CARD_WIDTH + GAP_X) - GAP_X + 2 * MARGIN;
  const height = Math.max(...[...boxes.values()].map((box) => box.y + box.height)) + MARGIN;
  return { boxes, columns, width, height };
}

/** The bottom of the lowest card in columns `from` to `to`. */
function bottomOf(columns, boxes, from, to) {
  let bottom = 0;
  for (let index = from; index <= to; index++) {
    for (const stage of columns[index] ?? []) {
      const box = boxes.get(stage.id);
      bottom = Math.max(bottom, box.y + box.height);
    }
  }
  return bottom;
}

/**
 * A path of straight runs joined by rounded corners through `points` (each run horizontal or vertical).
 */
function roundedPath(points) {
  const [first, ...rest] = points;
  let d = `M${first.x},${first.y}`;
  rest.forEach((point, index) => {
    const next = rest[index + 1];
    if (next === undefined) {
      d += ` L${point.x},${point.y}`;
      return;
    }
    const previous = points[index];
    const inLength = Math.abs(point.x - previous.x) + Math.abs(point.y - previous.y);
    const outLength = Math.abs(next.x - point.x) + Math.abs(next.y - point.y);
    const radius = Math.min(CORNER, inLength / 2, outLength / 2);
    const towards = (from, to, length) => ({
      x: to.x + (Math.sign(from.x - to.x) * length || 0),
      y: to.y + (Math.sign(from.y - to.y) * length || 0),
    });
    const before = towards(previous, point, radius);
    const after = towards(next, point, radius);
    d += ` L${before.x},${before.y} Q${point.x},${point.y} ${after.x},${after.y}`;
  });
  return d;
}

/** The arrows of the column layout; the lanes they take below the cards make the picture taller. */
function columnArrows(stages, boxes, columns) {
  let lane = 0;
  let lowest = 0;
  const arrows = stages.flatMap((stage) =>
    stage.follows.map((id, index) => {
      const from = boxes.get(id);
      const to = boxes.get(stage.id);
      const [x1, y1, x2, y2] = [from.x + CARD_WIDTH, from.y + 24, to.x - 4, to.y + 16 + index * 12];
      if (to.column === from.column + 1) {
        const bend = (x2 - x1) / 2;
        return { id, stage, d: `M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}` };
      }
      // Skips columns: down the gap after its own column, along a lane below the cards of the columns
      // it passes, and up the gap before its stage's column.
      const offset = (lane % 4) * LANE_STEP;
      const laneY = bottomOf(columns, boxes, from.column + 1, to.column - 1) + LANE_GAP + lane * LANE_STEP;
      lane += 1;
      lowest = Math.max(lowest, laneY);
      const outX = x1 + GAP_X / 2 - 12 + offset;
      const inX = to.x - GAP_X / 2 + 12 - offset;
      const d = roundedPath([
        { x: x1, y: y1 },
        { x: outX, y: y1 },
        { x: outX, y: laneY },
        { x: inX, y: laneY },
        { x: inX, y: y2 },
        { x: x2, y: y2 },
      ]);
      return { id, stage, d };
    }),
  );
  return { arrows, lowest };
}

function stackedArrows(stages, boxes) {
  let count = 0;
  const arrows = stages.flatMap((stage) =>
    stage.follows.map((id, index) => {
      const from = boxes.get(id);
      const to = boxes.get(stage.id);
      const [y1, y2, x] = [from.y + 24, to.y + 16 + index * 10, GUTTER - 4];
      const reach = Math.max(6, GUTTER - 8 - (count++ % 6) * 8);
      return { id, stage, d: `M${x},${y1} C${x - reach},${y1} ${x - reach},${y2} ${x},${y2}` };
    }),
  );
  return { arrows, lowest: 0 };
}

/**
 * Where the cards of `stages` go and the arrows between them: `cards` maps a stage's id to its card's
 * `{ height }` (drawStageCard.js). A column per depth, or with `isNarrow` (panels side by side) one stage
 * under the other. `boxes` maps a stage's id to its card's `{ x, y }`; `arrows` is the arrows' SVG markup,
 * `width` and `height` the picture's.
 */
export function layoutStopPlan(stages, cards, isNarrow) {
  const { boxes, columns, width, height } = isNarrow
    ? stackedLayout(stages, cards)
    : columnLayout(stages, cards);
  const { arrows, lowest } = isNarrow ? stackedArrows(stages, boxes) : columnArrows(stages, boxes, columns);
  const arrowMarkup = arrows.map(
    ({ id, stage, d }) =>
      `<path class="follows" d="${d}" data-from="${escapeText(id)}" data-to="${escapeText(stage.id)}" marker-end="url(#arrow)"><title>${escapeText(stage.id)} begins after ${escapeText(id)} completed</title></path>`,
  );
  return { boxes, width, height: Math.max(height, lowest + MARGIN), arrows: arrowMarkup.join('') };
}

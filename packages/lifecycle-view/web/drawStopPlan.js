// The stop plan as an SVG picture: a column per depth (a stage sits right of every stage it follows),
// arrows for "follows", and in each stage its state, its drain budget as a bar that counts down, and its
// members with their states and latest progress records.
import { escapeText, formatCut, formatMs, formatProgress } from './format.js';

const WIDTH = 370;
const GAP_X = 70;
const GAP_Y = 26;
const HEAD = 50;
const MEMBER = 38;

/** Where the stage's budget stands at `now`: what the bar and its label show. */
export function budgetOf(stage, now) {
  if (stage.state === 'running' && stage.deadlineAt !== undefined) {
    const remainingMs = Math.max(0, stage.deadlineAt - now);
    return {
      remainingMs,
      fraction: stage.budgetMs > 0 ? Math.min(1, remainingMs / stage.budgetMs) : 0,
      label: `${formatMs(remainingMs)} left of ${formatMs(stage.budgetMs)}`,
    };
  }
  if (stage.state === 'completed') {
    return {
      fraction: 0,
      label: `completed in ${formatMs(stage.durationMs ?? 0)} (budget ${formatMs(stage.budgetMs)})`,
    };
  }
  if (stage.state === 'skipped') return { fraction: 0, label: 'skipped: no member was running' };
  return { fraction: 1, label: `budget ${formatMs(stage.budgetMs)}` };
}

const GUTTER = 60; // the narrow layout's arrows run in a gutter left of the stages

/** One stage under the other, in plan order (every stage below those it begins after). */
function stackedLayout(stages) {
  const boxes = new Map();
  let y = 10;
  for (const stage of stages) {
    const height = HEAD + 18 + stage.members.length * MEMBER;
    boxes.set(stage.id, { x: GUTTER, y, height });
    y += height + GAP_Y;
  }
  return { boxes, width: GUTTER + WIDTH + 10, height: y - GAP_Y + 10 };
}

function layout(stages) {
  const depth = new Map();
  const depthOf = (stage) => {
    if (!depth.has(stage.id)) {
      depth.set(stage.id, 0); // a cycle cannot happen in a resolved plan; this only guards the recursion
      const before = stage.follows.map((id) => stages.find((candidate) => candidate.id === id));
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
    let y = 10;
    for (const stage of column) {
      const height = HEAD + 18 + stage.members.length * MEMBER;
      boxes.set(stage.id, { x: 10 + index * (WIDTH + GAP_X), y, height });
      y += height + GAP_Y;
    }
  });
  const width = columns.length * (WIDTH + GAP_X) - GAP_X + 20;
  const height = Math.max(...[...boxes.values()].map((box) => box.y + box.height)) + 10;
  return { boxes, width, height };
}

/**
 * The SVG markup of the stop stages of `snapshot` at `now` (the app's monotonic milliseconds): a column
 * per depth, or with `isNarrow` (panels side by side) one stage under the other.
 */
export function drawStopPlan(snapshot, now, { isNarrow = false } = {}) {
  const stages = snapshot.stages.filter((stage) => stage.phase === 'stop');
  if (stages.length === 0) return '<p class="empty">no stop stages</p>';
  const modules = new Map(snapshot.modules.map((module) => [module.name, module]));
  const { boxes, width, height } = isNarrow ? stackedLayout(stages) : layout(stages);
  let arrowCount = 0;
  const arrows = stages.flatMap((stage) =>
    stage.follows.map((id, index) => {
      const from = boxes.get(id);
      const to = boxes.get(stage.id);
      if (isNarrow) {
        const [y1, y2, x] = [from.y + 24, to.y + 16 + index * 10, GUTTER - 4];
        const reach = Math.max(6, GUTTER - 8 - (arrowCount++ % 6) * 8);
        return `<path class="follows" d="M${x},${y1} C${x - reach},${y1} ${x - reach},${y2} ${x},${y2}" marker-end="url(#arrow)"><title>${escapeText(stage.id)} begins after ${escapeText(id)} completed</title></path>`;
      }
      const [x1, y1, x2, y2] = [from.x + WIDTH, from.y + 24, to.x - 4, to.y + 16 + index * 12];
      const bend = (x2 - x1) / 2;
      return `<path class="follows" d="M${x1},${y1} C${x1 + bend},${y1} ${x2 - bend},${y2} ${x2},${y2}" marker-end="url(#arrow)"><title>${escapeText(stage.id)} begins after ${escapeText(id)} completed</title></path>`;
    }),
  );
  const cards = stages.map((stage) => {
    const box = boxes.get(stage.id);
    const budget = budgetOf(stage, now);
    const barWidth = WIDTH - 24;
    const members = stage.members.map((name, index) => {
      const module = modules.get(name) ?? { name, state: 'idle' };
      const y = HEAD + 18 + index * MEMBER;
      const left =
        module.state === 'stopping' && module.deadlineAt !== undefined
          ? ` · ${formatMs(module.deadlineAt - now)} left`
          : module.state === 'stopped' && module.durationMs !== undefined
            ? ` in ${formatMs(module.durationMs)}`
            : '';
      const cut = module.cut === undefined ? '' : ` · ${formatCut(module)}`;
      const progress = module.progress === undefined ? '' : formatProgress(module.progress);
      return `<g class="module ${module.state}" data-module="${escapeText(name)}" data-state="${module.state}" transform="translate(12,${y})">
        <circle cx="5" cy="-4" r="5" />
        <text x="16" y="0" class="name">${escapeText(name)}</text>
        <text x="${barWidth}" y="0" class="state" text-anchor="end">${module.state}${left}${cut}</text>
        <text x="16" y="16" class="progress" data-progress>${escapeText(progress)}</text>
      </g>`;
    });
    return `<g class="stage ${stage.state}" data-stage="${escapeText(stage.id)}" data-state="${stage.state}"${
      budget.remainingMs === undefined ? '' : ` data-remaining-ms="${Math.round(budget.remainingMs)}"`
    } data-budget-ms="${stage.budgetMs}" transform="translate(${box.x},${box.y})">
      <rect class="card" width="${WIDTH}" height="${box.height}" rx="8" />
      <text x="12" y="20" class="title">${escapeText(stage.members.join(' + '))}</text>
      <text x="${WIDTH - 12}" y="20" class="badge" text-anchor="end">${stage.state}</text>
      <rect class="bar-bg" x="12" y="30" width="${barWidth}" height="8" rx="4" />
      <rect class="bar" x="12" y="30" width="${(barWidth * budget.fraction).toFixed(1)}" height="8" rx="4" />
      <text x="12" y="54" class="budget" data-budget>${escapeText(budget.label)}</text>
      ${members.join('')}
    </g>`;
  });
  return `<svg class="plan" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="stop plan">
    <defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" /></marker></defs>
    ${arrows.join('')}
    ${cards.join('')}
  </svg>`;
}

// One stop stage as a card of the plan: its members in its title, its state, its drain budget as a bar
// that counts down, and each member with its state and latest progress record. Every text is fitted
// to the card (wrapped or cut, with the whole text as a tooltip). On a lost stream (`isStale`) nothing
// counts any more: what had not finished reads as unknown, with its numbers as they were at the loss.
import { truncateText, wrapText } from './fitText.js';
import { escapeText, formatCut, formatMs, formatProgress } from './format.js';

/** The width of a card, in pixels. */
export const CARD_WIDTH = 370;
const PAD = 12;
const BAR_WIDTH = CARD_WIDTH - 2 * PAD;
const LINE = 16;
const ROW_GAP = 6;
const FINAL_STAGE_STATES = new Set(['completed', 'failed', 'skipped']);
const FINAL_MODULE_STATES = new Set(['stopped', 'failed']);

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

/** Where a card's markup places it: its group's `transform`. */
export function cardTransform(x, y) {
  return `translate(${x},${y})`;
}

/**
 * The card of `stage` at `now`: its `height`, `draw(x, y)`, its markup at that place, and `isTimed`,
 * whether it reads `now` (a budget counting down, a member's time left): a card that is not timed looks
 * the same at any moment. `measure(text, className)` is the drawn width of a text.
 */
export function drawStageCard(stage, modules, now, { isStale = false, measure }) {
  const members = stage.members.map((name) => modules.get(name) ?? { name, state: 'idle' });
  const cutMembers = members.filter((module) => module.cut !== undefined);
  const isUnknown = isStale && !FINAL_STAGE_STATES.has(stage.state);
  const isCut = stage.state === 'completed' && cutMembers.length > 0;
  const state = isUnknown ? 'unknown' : stage.state;
  const badge = isCut ? 'cut' : state;
  const budget = budgetOf(stage, now);
  const isTimed =
    budget.remainingMs !== undefined ||
    members.some((module) => module.state === 'stopping' && module.deadlineAt !== undefined);
  const reasons = [...new Set(cutMembers.map((module) => formatCut(module)))].join(', ');
  const budgetLabel = isUnknown
    ? stage.state === 'running'
      ? `${budget.label} when the stream was lost`
      : `${budget.label}; not known since the stream was lost`
    : isCut
      ? `${reasons} · ended in ${formatMs(stage.durationMs ?? 0)} (budget ${formatMs(stage.budgetMs)})`
      : budget.label;

  const lines = [];
  const text = (x, y, className, content, widthPx, attributes = '') => {
    const fitted = truncateText(content, widthPx, (value) => measure(value, className));
    lines.push(
      withTooltip(
        `<text x="${x}" y="${y}" class="${className}"${attributes}>${escapeText(fitted)}</text>`,
        fitted === content ? undefined : content,
      ),
    );
  };
  const badgeWidth = measure(badge, 'badge');
  text(PAD, 20, 'title', stage.members.join(' + '), BAR_WIDTH - badgeWidth - 10);
  text(CARD_WIDTH - PAD, 20, 'badge', badge, badgeWidth + 1, ' text-anchor="end"');
  let y = 54;
  y = wrapped(lines, PAD, y, 'budget', budgetLabel, BAR_WIDTH, measure, ' data-budget');
  y += LINE - 2;
  const rows = members.map((module) => {
    const row = drawMember(module, now, { isStale, measure, y });
    y += row.height;
    return row.markup;
  });
  const height = y - LINE + 22;
  const attributes = [
    // Every field of a snapshot is what the stream said (any ?source= URL): escaped, even states.
    `class="stage ${escapeText(state)}${isCut ? ' cut' : ''}"`,
    `data-stage="${escapeText(stage.id)}"`,
    `data-state="${escapeText(state)}"`,
    isUnknown ? `data-last-known-state="${escapeText(stage.state)}"` : '',
    budget.remainingMs === undefined || isStale
      ? ''
      : `data-remaining-ms="${Math.round(budget.remainingMs)}"`,
    `data-budget-ms="${escapeText(stage.budgetMs)}"`,
    cutMembers.length > 0
      ? `data-cut="${escapeText(cutMembers.map((module) => module.name).join(' '))}"`
      : '',
  ].filter(Boolean);
  return {
    height,
    isTimed,
    draw: (x, top) => `<g ${attributes.join(' ')} transform="${cardTransform(x, top)}">
      <rect class="card" width="${CARD_WIDTH}" height="${height}" rx="8" />
      <rect class="bar-bg" x="${PAD}" y="30" width="${BAR_WIDTH}" height="8" rx="4" />
      <rect class="bar" x="${PAD}" y="30" width="${(BAR_WIDTH * budget.fraction).toFixed(1)}" height="8" rx="4" />
      ${lines.join('')}
      ${rows.join('')}
    </g>`,
  };
}

/** A member's rows: its name and state (the state on a line of its own when both do not fit), then its progress. */
function drawMember(module, now, { isStale, measure, y }) {
  const isFinal = FINAL_MODULE_STATES.has(module.state);
  const isUnknown = isStale && !isFinal;
  const state = isUnknown ? 'unknown' : module.state;
  const left =
    module.state === 'stopping' && module.deadlineAt !== undefined
      ? ` · ${formatMs(module.deadlineAt - now)} left`
      : module.state === 'stopped' && module.durationMs !== undefined
        ? ` in ${formatMs(module.durationMs)}`
        : '';
  const cut = module.cut === undefined ? '' : ` · ${formatCut(module)}`;
  const stateText = isUnknown ? `unknown (was ${module.state}${left}${cut})` : `${module.state}${left}${cut}`;
  // A stopped module's record is its last, not a live count; on a lost stream, what it said last.
  const progress =
    module.progress === undefined
      ? ''
      : `${isFinal ? 'at stop: ' : isUnknown ? 'last report: ' : ''}${formatProgress(module.progress)}`;
  const lines = [];
  const nameWidth = Math.min(measure(module.name, 'name'), BAR_WIDTH - 16);
  const stateFits = 16 + nameWidth + 10 + measure(stateText, 'state') <= BAR_WIDTH;
  const name = truncateText(module.name, BAR_WIDTH - 16, (value) => measure(value, 'name'));
  lines.push(
    withTooltip(
      `<text x="16" y="0" class="name">${escapeText(name)}</text>`,
      name === module.name ? undefined : module.name,
    ),
  );
  let line = 0;
  if (stateFits) {
    lines.push(
      `<text x="${BAR_WIDTH}" y="0" class="state" text-anchor="end">${escapeText(stateText)}</text>`,
    );
  } else {
    line += 1;
    wrapped(lines, 16, line * LINE, 'state', stateText, BAR_WIDTH - 16, measure);
  }
  line += 1;
  const end = wrapped(
    lines,
    16,
    line * LINE,
    'progress',
    progress,
    BAR_WIDTH - 16,
    measure,
    ' data-progress',
  );
  const height = Math.max(2 * LINE, end + LINE) + ROW_GAP;
  return {
    height,
    markup: `<g class="module ${escapeText(state)}${module.cut === undefined ? '' : ' cut'}" data-module="${escapeText(module.name)}" data-state="${escapeText(state)}"${
      isUnknown ? ` data-last-known-state="${escapeText(module.state)}"` : ''
    } transform="translate(${PAD},${y})">
        <circle cx="5" cy="-4" r="5" />
        ${lines.join('')}
      </g>`,
  };
}

/**
 * Pushes `content` wrapped to `widthPx` as one `<text>` of `<tspan>` lines from `y` on; returns the
 * baseline of its last line. An empty `content` is one empty line (the place of a record to come).
 */
function wrapped(lines, x, y, className, content, widthPx, measure, attributes = '') {
  const { lines: fitted, isCut } = wrapText(content, widthPx, (value) => measure(value, className));
  const spans = fitted
    .map((line, index) => `<tspan x="${x}" y="${y + index * LINE}">${escapeText(line)}</tspan>`)
    .join('');
  lines.push(
    withTooltip(`<text class="${className}"${attributes}>${spans}</text>`, isCut ? content : undefined),
  );
  return y + (fitted.length - 1) * LINE;
}

/** A text cut to fit, with the whole of it as its tooltip (beside the text: its own content stays the line shown). */
function withTooltip(markup, whole) {
  return whole === undefined ? markup : `<g class="fitted"><title>${escapeText(whole)}</title>${markup}</g>`;
}

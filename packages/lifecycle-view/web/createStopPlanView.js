// The stop plan in the page, kept current from snapshot to snapshot without drawing it all again: a stage's
// card is drawn again only when its stage, one of its members, or (for a card that counts down) the
// moment changed, and it replaces the card on the page only when it looks different; a card that only
// moved gets its new place. The layout and the arrows are worked out again only when a card's height
// changed. A plan of thousands of modules is drawn once, then a card at a time as its stage stops.
import { cardTransform, drawStageCard } from './drawStageCard.js';
import { layoutStopPlan } from './layoutStopPlan.js';

const ARROW_MARKER =
  '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" /></marker></defs>';
const NO_STOP_STAGES = '<p class="empty">no stop stages</p>';

/**
 * One stage's card as drawn: what it was drawn from (`stage`, its `members`' snapshots, `isStale`, `now`),
 * the `card` (drawStageCard.js), its `markup` at 0,0, and where it is on the page (`element`, `x`, `y`).
 * @typedef {{ stage: object, members: readonly (object | undefined)[], isStale: boolean, now: number,
 *   card: ReturnType<typeof drawStageCard>, markup: string, element?: Element, x?: number, y?: number }} DrawnCard
 */

/**
 * Draws the stop stages of snapshots into `holder`: `render(snapshot, now, isStale)` shows them at `now`
 * (the app's monotonic milliseconds), the stream-lost picture when `isStale`, changing on the page only
 * what looks different from the last render. `isNarrow` (panels side by side) stacks the stages in one
 * column; `measure(text, className)` is a text's drawn width (createTextMeasure.js).
 */
export function createStopPlanView(holder, { isNarrow = false, measure }) {
  /** @type {Map<string, DrawnCard>} */
  let drawn = new Map();
  let drawnPlan; // the stages' ids and follows the picture on the page was laid out for ('' for none)
  let layout;
  /** @type {SVGSVGElement | undefined} */
  let svg;
  /** @type {Element | undefined} */
  let arrows;

  /** The card of `stage` as drawn last time when nothing it shows changed since; else drawn again. */
  const cardOf = (stage, modules, now, isStale) => {
    const members = stage.members.map((name) => modules.get(name));
    const before = drawn.get(stage.id);
    const isUnchanged =
      before !== undefined &&
      before.stage === stage &&
      before.isStale === isStale &&
      (!before.card.isTimed || before.now === now) &&
      members.every((module, index) => module === before.members[index]);
    if (isUnchanged) return before;
    const card = drawStageCard(stage, modules, now, { isStale, measure });
    return { ...before, stage, members, isStale, now, card, markup: card.draw(0, 0) };
  };

  /** The whole picture at once: the first time, and when the plan is another one. */
  const drawAll = (stages, cards) => {
    holder.innerHTML = `<svg class="plan" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="img" aria-label="stop plan">${ARROW_MARKER}<g class="arrows">${layout.arrows}</g>${stages
      .map((stage) => {
        const { x, y } = layout.boxes.get(stage.id);
        return cards.get(stage.id)?.card.draw(x, y);
      })
      .join('')}</svg>`;
    svg = /** @type {SVGSVGElement} */ (holder.firstElementChild);
    arrows = /** @type {Element} */ (svg.querySelector(':scope > g.arrows'));
    const elements = svg.querySelectorAll(':scope > [data-stage]');
    stages.forEach((stage, index) => {
      const { x, y } = layout.boxes.get(stage.id);
      Object.assign(/** @type {DrawnCard} */ (cards.get(stage.id)), { element: elements[index], x, y });
    });
  };

  /** Only what changed: the picture's size, the arrows, each card that looks different or moved. */
  const drawChanges = (stages, cards, previousLayout) => {
    if (layout !== previousLayout && svg !== undefined && arrows !== undefined) {
      if (layout.width !== previousLayout.width || layout.height !== previousLayout.height) {
        svg.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
        svg.setAttribute('width', String(layout.width));
        svg.setAttribute('height', String(layout.height));
      }
      if (layout.arrows !== previousLayout.arrows) arrows.innerHTML = layout.arrows;
    }
    for (const stage of stages) {
      const card = /** @type {DrawnCard} */ (cards.get(stage.id));
      const before = drawn.get(stage.id);
      const { x, y } = layout.boxes.get(stage.id);
      if (card.markup !== before?.markup) {
        before?.element?.insertAdjacentHTML('afterend', card.card.draw(x, y));
        const element = before?.element?.nextElementSibling ?? undefined;
        before?.element?.remove();
        Object.assign(card, { element, x, y });
      } else if (x !== card.x || y !== card.y) {
        card.element?.setAttribute('transform', cardTransform(x, y));
        Object.assign(card, { x, y });
      }
    }
  };

  return {
    render(snapshot, now, isStale) {
      const stages = snapshot.stages.filter((stage) => stage.phase === 'stop');
      const plan = JSON.stringify(stages.map((stage) => [stage.id, stage.follows]));
      if (stages.length === 0) {
        if (drawnPlan !== '') holder.innerHTML = NO_STOP_STAGES;
        drawnPlan = '';
        drawn = new Map();
        svg = undefined;
        return;
      }
      const modules = new Map(snapshot.modules.map((module) => [module.name, module]));
      /** @type {Map<string, DrawnCard>} */
      const cards = new Map(stages.map((stage) => [stage.id, cardOf(stage, modules, now, isStale)]));
      const isSamePlan = plan === drawnPlan;
      const isResized =
        !isSamePlan ||
        stages.some((stage) => cards.get(stage.id)?.card.height !== drawn.get(stage.id)?.card.height);
      const previousLayout = layout;
      if (isResized) {
        layout = layoutStopPlan(
          stages,
          new Map(stages.map((stage) => [stage.id, /** @type {DrawnCard} */ (cards.get(stage.id)).card])),
          isNarrow,
        );
      }
      if (isSamePlan) drawChanges(stages, cards, previousLayout);
      else drawAll(stages, cards);
      drawnPlan = plan;
      drawn = cards;
    },
  };
}

// One source's panel: a headline (state, stop, deadline), the counts modules report, the stop plan as a
// picture that shows when it is wider than the panel, and the last picture of the replica's previous
// run once it came back as a new one.
import { createStopPlanView } from './createStopPlanView.js';
import { createTextMeasure } from './createTextMeasure.js';
import { describeHeadline } from './describeHeadline.js';
import { escapeText, formatProgress } from './format.js';

const FINAL_MODULE_STATES = new Set(['stopped', 'failed']);

/**
 * Adds a panel titled `title` to `container`; `render(snapshot, now, lost)` draws it, frozen at the
 * loss when `lost` (`{ wallClock }`) is given. `isNarrow` (panels side by side) stacks the stop stages
 * in one column.
 */
export function createPanel(container, title, { isNarrow = false } = {}) {
  const section = document.createElement('section');
  section.className = isNarrow ? 'panel narrow' : 'panel';
  section.innerHTML = `
    <header><h2>${escapeText(title)}</h2><span class="status" data-status></span></header>
    <div class="controls"></div>
    <div class="headline" data-headline></div>
    <ul class="counts" data-counts></ul>
    <div class="plan-frame" data-plan-frame>
      <div class="plan-holder" data-plan></div>
      <span class="scroll-hint left" data-scroll-hint="left"><span>◀ more</span></span>
      <span class="scroll-hint right" data-scroll-hint="right"><span>more stages: scroll ▶</span></span>
    </div>
    <details class="previous-run" data-previous-run hidden>
      <summary></summary>
      <div class="plan-holder" data-previous-plan></div>
    </details>`;
  container.append(section);
  const find = (selector) => /** @type {HTMLElement} */ (section.querySelector(selector));
  const status = find('[data-status]');
  const headline = find('[data-headline]');
  const counts = find('[data-counts]');
  const frame = find('[data-plan-frame]');
  const plan = find('[data-plan]');
  const previous = find('[data-previous-run]');
  const measure = createTextMeasure(section);
  const showOverflow = () => {
    const sides = [];
    if (plan.scrollLeft > 1) sides.push('left');
    if (plan.scrollLeft + plan.clientWidth < plan.scrollWidth - 1) sides.push('right');
    setData(frame, 'overflow', sides.join(' '));
  };
  plan.addEventListener('scroll', showOverflow, { passive: true });
  // The sides change when the panel or the picture changes size: read after the browser's own layout,
  // not forced by each render.
  const resizes = new ResizeObserver(showOverflow);
  resizes.observe(plan);
  /** @type {Element | null} */
  let picture = null;
  const planView = createStopPlanView(plan, { isNarrow, measure });
  /** @type {Map<HTMLElement, string>} */
  const drawn = new Map();
  const replace = (element, markup) => {
    if (drawn.get(element) === markup) return; // a hovered tooltip stays while nothing changes
    drawn.set(element, markup);
    element.innerHTML = markup;
  };
  let countedModules; // the modules the counts were written for, and whether the stream was lost then
  let isCountedStale = false;
  return {
    element: section,
    controls: () => section.querySelector('.controls'),
    /**
     * The status line: `kind` is `waiting`, `live`, `ended`, `lost`, `error` or `replay`; `retryMs`, the
     * wait before the next try, when one is due.
     * @param {string} text
     * @param {string} kind
     * @param {{ retryMs?: number }} [next]
     */
    setStatus(text, kind, { retryMs } = {}) {
      status.textContent = text;
      status.dataset.kind = kind;
      if (retryMs === undefined) delete status.dataset.retryMs;
      else status.dataset.retryMs = String(retryMs);
    },
    render(snapshot, now, lost) {
      const isStale = lost !== undefined;
      setData(section, 'appState', isStale ? 'unknown' : snapshot.state);
      setData(section, 'lastKnownState', isStale ? snapshot.state : undefined);
      setData(section, 'stopStatus', snapshot.stop?.status);
      setData(section, 'forcedBy', snapshot.stop?.forcedBy);
      section.classList.toggle('stale', isStale);
      replace(headline, describeHeadline(snapshot, now, lost));
      if (snapshot.modules !== countedModules || isStale !== isCountedStale) {
        replace(counts, describeCounts(snapshot, isStale)); // the counts do not change with time
        [countedModules, isCountedStale] = [snapshot.modules, isStale];
      }
      planView.render(snapshot, now, isStale);
      if (plan.firstElementChild !== picture) {
        if (picture !== null) resizes.unobserve(picture);
        picture = plan.firstElementChild;
        if (picture !== null) resizes.observe(picture);
      }
    },
    /** Keeps the last picture of the replica's run before this one, below the live one. */
    keepPreviousRun(snapshot, now, lost) {
      previous.hidden = false;
      find('[data-previous-run] summary').innerHTML =
        `<b>previous run</b> · ${describeHeadline(snapshot, now, lost)}`;
      createStopPlanView(find('[data-previous-plan]'), { isNarrow, measure }).render(
        snapshot,
        now,
        lost !== undefined,
      );
    },
  };
}

/**
 * The counts modules report: live ones first, then those only known from before the stream was lost,
 * then the last records of stopped modules, each group after its label.
 */
function describeCounts(snapshot, isStale) {
  const reporting = snapshot.modules.filter((module) => module.progress !== undefined);
  const groups = [
    { label: '', modules: reporting.filter((module) => !isStale && !FINAL_MODULE_STATES.has(module.state)) },
    {
      label: 'last report before the stream was lost:',
      modules: reporting.filter((module) => isStale && !FINAL_MODULE_STATES.has(module.state)),
    },
    { label: 'at stop:', modules: reporting.filter((module) => FINAL_MODULE_STATES.has(module.state)) },
  ];
  return groups
    .filter((group) => group.modules.length > 0)
    .map(
      ({ label, modules }) =>
        (label === '' ? '' : `<li class="counts-label">${label}</li>`) +
        modules
          .map(
            (module) =>
              `<li data-counts-of="${escapeText(module.name)}"><b>${escapeText(module.name)}</b> ${escapeText(formatProgress(module.progress))}</li>`,
          )
          .join(''),
    )
    .join('');
}

/** Sets (or, for `undefined`, removes) a data attribute, leaving it alone when it already says so. */
function setData(element, key, value) {
  if (value === undefined) delete element.dataset[key];
  else if (element.dataset[key] !== String(value)) element.dataset[key] = String(value);
}

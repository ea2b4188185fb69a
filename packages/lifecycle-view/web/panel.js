// One source's panel: a headline (state, stop, deadline), the counts modules report, the start plan in a
// line and the stop plan as a picture.
import { drawStopPlan } from './drawStopPlan.js';
import { escapeText, formatMs, formatProgress } from './format.js';

/**
 * Adds a panel titled `title` to `container`; `render(snapshot, now)` draws it. `isNarrow` (panels side
 * by side) stacks the stop stages in one column.
 */
export function createPanel(container, title, { isNarrow = false } = {}) {
  const section = document.createElement('section');
  section.className = isNarrow ? 'panel narrow' : 'panel';
  section.innerHTML = `
    <header><h2>${escapeText(title)}</h2><span class="status" data-status></span></header>
    <div class="controls"></div>
    <div class="headline" data-headline></div>
    <ul class="counts" data-counts></ul>
    <div class="plan-holder" data-plan></div>`;
  container.append(section);
  const status = /** @type {HTMLElement} */ (section.querySelector('[data-status]'));
  const headline = /** @type {HTMLElement} */ (section.querySelector('[data-headline]'));
  const counts = /** @type {HTMLElement} */ (section.querySelector('[data-counts]'));
  const plan = /** @type {HTMLElement} */ (section.querySelector('[data-plan]'));
  return {
    element: section,
    controls: () => section.querySelector('.controls'),
    setStatus(text, kind) {
      status.textContent = text;
      status.dataset.kind = kind;
    },
    render(snapshot, now) {
      section.dataset.appState = snapshot.state;
      headline.innerHTML = describeHeadline(snapshot, now);
      counts.innerHTML = snapshot.modules
        .filter((module) => module.progress !== undefined)
        .map(
          (module) =>
            `<li data-counts-of="${escapeText(module.name)}"><b>${escapeText(module.name)}</b> ${escapeText(formatProgress(module.progress))}</li>`,
        )
        .join('');
      plan.innerHTML = drawStopPlan(snapshot, now, { isNarrow });
    },
  };
}

function describeHeadline(snapshot, now) {
  const start = snapshot.stages.filter((stage) => stage.phase === 'start');
  const started =
    snapshot.startedAt === undefined
      ? `start plan: ${start.length} stage(s)`
      : snapshot.state === 'stopped'
        ? `ran ${formatMs((snapshot.stop?.beganAt ?? now) - snapshot.startedAt)} (${start.length} start stage(s))`
        : `started ${formatMs(now - snapshot.startedAt)} ago (${start.length} start stage(s))`;
  const parts = [`<span class="app-state ${snapshot.state}">${snapshot.state}</span>`, escapeText(started)];
  const stop = snapshot.stop;
  if (stop !== undefined) {
    if (stop.status !== undefined) {
      parts.push(
        escapeText(`stop (${stop.reason}) ${stop.status} in ${formatMs(stop.durationMs ?? 0)}`) +
          (stop.cut?.length ? escapeText(` · cut: ${stop.cut.join(', ')}`) : ''),
      );
    } else {
      parts.push(
        escapeText(`stopping (${stop.reason}) for ${formatMs(now - stop.beganAt)}`),
        stop.isDeadlinePassed
          ? '<span class="late">shutdown deadline passed</span>'
          : escapeText(`shutdown deadline in ${formatMs(stop.deadlineAt - now)}`),
      );
    }
  }
  return parts.join(' · ');
}

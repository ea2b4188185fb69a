// Replays a recorded trace (the JSON lines `kas-graph timeline` reads): the snapshot at any moment is the
// fold of the events up to it, drawn by the same panel as a live stream.
import { foldLifecycleEvents } from './snapshot/index.js';

/** The lifecycle events of a trace file's text; throws naming the line that is not one. */
export function parseTrace(text) {
  const events = [];
  text.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    let event;
    try {
      event = JSON.parse(line);
    } catch {
      throw new Error(`line ${index + 1} is not JSON`);
    }
    if (typeof event?.type !== 'string' || typeof event.at !== 'number') {
      throw new Error(`line ${index + 1} is not a lifecycle event (needs "type" and a numeric "at")`);
    }
    events.push(event);
  });
  if (!events.some((event) => event.type === 'app.starting')) {
    throw new Error('no app.starting event: give a trace written by kas --trace-file');
  }
  return events;
}

const SPEEDS = [1, 5, 20, 100];

/** Plays `events` in `panel` from just before the stop; returns the function that stops playing. */
export function startReplay(panel, events) {
  const first = events.find((event) => event.type === 'app.starting').at;
  const last = events.at(-1).at;
  const stopAt = events.find((event) => event.type === 'app.stopping')?.at;
  const state = {
    t: stopAt === undefined ? first : Math.max(first, stopAt - 500),
    speed: 1,
    isPlaying: true,
  };
  const controls = panel.controls();
  controls.innerHTML = `
    <button type="button" data-action="play">pause</button>
    <select data-action="speed">${SPEEDS.map((speed) => `<option value="${speed}">${speed}×</option>`).join('')}</select>
    <input type="range" data-action="seek" min="${first}" max="${last}" step="1" />
    <button type="button" data-action="stop">jump to the stop</button>
    <span class="clock"></span>`;
  const play = controls.querySelector('[data-action="play"]');
  const seek = controls.querySelector('[data-action="seek"]');
  const clock = controls.querySelector('.clock');
  play.addEventListener('click', () => {
    if (!state.isPlaying && state.t >= last) state.t = first;
    state.isPlaying = !state.isPlaying;
  });
  controls.querySelector('[data-action="speed"]').addEventListener('change', (event) => {
    state.speed = Number(event.target.value);
  });
  seek.addEventListener('input', () => {
    state.t = Number(seek.value);
  });
  controls.querySelector('[data-action="stop"]').addEventListener('click', () => {
    if (stopAt !== undefined) state.t = stopAt;
  });
  panel.setStatus(`replay: ${events.length} events`, 'replay');
  let previous = performance.now();
  let snapshot;
  let foldedCount = -1; // how many events `snapshot` is the fold of: folded again only when that changes
  const timer = setInterval(() => {
    const now = performance.now();
    if (state.isPlaying) state.t = Math.min(last, state.t + (now - previous) * state.speed);
    if (state.t >= last) state.isPlaying = false;
    previous = now;
    play.textContent = state.isPlaying ? 'pause' : 'play';
    seek.value = String(state.t);
    const since = stopAt === undefined ? state.t - first : state.t - stopAt;
    clock.textContent = `${since < 0 ? '−' : '+'}${(Math.abs(since) / 1000).toFixed(1)} s ${stopAt === undefined ? 'since start' : 'from the stop'}`;
    const shown = events.filter((event) => event.at <= state.t);
    if (shown.length !== foldedCount) [snapshot, foldedCount] = [foldLifecycleEvents(shown), shown.length];
    if (snapshot !== undefined) panel.render(snapshot, state.t);
  }, 50);
  return () => clearInterval(timer);
}

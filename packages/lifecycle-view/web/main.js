// The page: one panel per source. Live sources come from `?source=<name>=<events URL>` (repeatable, the
// demo shows its replicas side by side), or else this listener's own stream; a trace file picked below
// replaces them with a replay.
import { connectLive } from './liveSource.js';
import { createPanel } from './panel.js';
import { parseTrace, startReplay } from './replay.js';

const panels = /** @type {HTMLElement} */ (document.getElementById('panels'));
const params = new URLSearchParams(location.search);
const sources = params.getAll('source').map((value) => {
  const cut = value.indexOf('=');
  return cut < 0 ? { name: value, url: value } : { name: value.slice(0, cut), url: value.slice(cut + 1) };
});
if (sources.length === 0)
  sources.push({ name: location.host, url: new URL('../events', location.href).href });

let stopAll = showLive(sources);

const traceFile = /** @type {HTMLInputElement} */ (document.getElementById('trace-file'));
traceFile.addEventListener('change', async () => {
  const file = traceFile.files?.[0];
  if (file === undefined) return;
  stopAll();
  panels.replaceChildren();
  const panel = createPanel(panels, `replay: ${file.name}`);
  try {
    const events = parseTrace(await file.text());
    stopAll = startReplay(panel, events);
  } catch (error) {
    panel.setStatus(
      `cannot replay ${file.name}: ${error instanceof Error ? error.message : String(error)}`,
      'error',
    );
    stopAll = () => {};
  }
});

function showLive(list) {
  const stops = list.map(({ name, url }) => {
    const panel = createPanel(panels, name, { isNarrow: list.length > 1 });
    const live = connectLive(url, (status) => panel.setStatus(status.text, status.kind));
    const timer = setInterval(() => {
      if (live.snapshot !== undefined) panel.render(live.snapshot, live.now());
    }, 100);
    return () => {
      clearInterval(timer);
      live.close();
    };
  });
  return () => {
    for (const stop of stops) stop();
  };
}

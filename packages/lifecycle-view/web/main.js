// The page: one panel per source. Live sources come from `?source=<name>=<events URL>` (repeatable, the
// demo shows its replicas side by side), or else this listener's own stream; a trace file picked below
// replaces them with a replay.
import { connectLive } from './liveSource.js';
import { createPanel } from './panel.js';
import { parseTrace, startReplay } from './replay.js';

/**
 * A `source` parameter: `<name>=<events URL>`, or the URL alone (then also its name). The URL begins at
 * the first `=` followed by `http://` or `https://` (else by `/`, else at the last `=`, for a URL such
 * as `../events`), so a name may hold `=`, and so may the URL's query.
 */
function parseSource(value) {
  if (/^(?:https?:)?\//.test(value)) return { name: value, url: value };
  const named = /^(.*?)=(https?:\/\/.*)$/s.exec(value) ?? /^(.*?)=(\/.*)$/s.exec(value);
  if (named !== null) return { name: named[1], url: named[2] };
  const cut = value.lastIndexOf('=');
  return cut < 0 ? { name: value, url: value } : { name: value.slice(0, cut), url: value.slice(cut + 1) };
}

const panels = /** @type {HTMLElement} */ (document.getElementById('panels'));
const params = new URLSearchParams(location.search);
const sources = params.getAll('source').map(parseSource);
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
    const live = connectLive(url, {
      onStatus: ({ text, kind, retryMs }) => panel.setStatus(text, kind, { retryMs }),
      onNewRun: (snapshot, now, lost) => panel.keepPreviousRun(snapshot, now, lost),
    });
    const timer = setInterval(() => {
      if (live.snapshot !== undefined) panel.render(live.snapshot, live.now(), live.lost);
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

import type { TopLevelSpec } from 'vega-lite';

/** Renders a Vega-Lite spec to SVG in Node: no browser, no canvas, no network. */
export async function renderTimeline(spec: TopLevelSpec): Promise<string> {
  const [{ compile }, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders Graphviz DOT to SVG with Graphviz compiled to WebAssembly: no system Graphviz, no network. */
export async function renderSvg(dot: string): Promise<string> {
  const { instance } = await import('@viz-js/viz');
  const viz = await instance();
  return viz.renderString(dot, { format: 'svg', engine: 'dot' });
}

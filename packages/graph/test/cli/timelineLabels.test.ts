import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, defineModule } from '@kas/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LabelBox, labelBox } from '../../src/cli/timeline/measureLabel.js';
import { assertBuilt, runKasGraph } from './runKasGraph.js';

/**
 * A stop like kas's own: the kube proxy marks `listener.closed` early, then drains until its budget cuts it
 * and marks `drain.cut` at the moment of the cut; the agent server marks `goaway.sent` and stops.
 */
async function recordCutStop(traceFile: string): Promise<void> {
  const app = createApp({
    modules: [
      defineModule({
        name: 'agent-grpc-server',
        create: () => ({
          start: async () => {},
          stop: async (ctx) => {
            ctx.mark('goaway.sent');
          },
          provides: {},
        }),
      }),
      defineModule({
        name: 'kube-proxy',
        drainBudget: 150,
        create: () => ({
          start: async () => {},
          stop: (ctx) =>
            new Promise<void>((resolve) => {
              ctx.mark('listener.closed');
              ctx.signal.addEventListener('abort', () => {
                ctx.mark('drain.cut');
                resolve();
              });
            }),
          provides: {},
        }),
      }),
    ],
    traceFile,
    logger: pino({ level: 'silent' }),
  });
  await app.start();
  await app.stop('SIGTERM');
}

/** The boxes of the chart's own labels (not the axes' or the legend's), as the SVG places them. */
function markLabelBoxes(svg: string): { readonly text: string; readonly box: LabelBox }[] {
  const labels: { text: string; box: LabelBox }[] = [];
  for (const group of svg.matchAll(/<g class="mark-text role-mark [^"]*"[^>]*>(.*?)<\/g>/g)) {
    for (const text of (group[1] ?? '').matchAll(/<text [^>]*>[^<]*<\/text>/g)) {
      const element = text[0];
      const [, x, y] = /transform="translate\(([-\d.e]+),([-\d.e]+)\)"/.exec(element) ?? [];
      const fontSize = Number(/font-size="([\d.]+)px"/.exec(element)?.[1]);
      const anchor = /text-anchor="(\w+)"/.exec(element)?.[1] ?? 'start';
      const content = unescapeXml(/>([^<]*)<\/text>/.exec(element)?.[1] ?? '');
      const box = labelBox(content, fontSize, Number(x), Number(y));
      const width = box.right - box.left;
      const shift = anchor === 'end' ? width : anchor === 'middle' ? width / 2 : 0;
      labels.push({ text: content, box: { ...box, left: box.left - shift, right: box.right - shift } });
    }
  }
  return labels;
}

/** The bars' boxes, outline included (a cut bar's 2 px stroke reaches 1 px past its edge). */
function barBoxes(svg: string): { readonly name: string; readonly box: LabelBox }[] {
  const group = /<g class="mark-rect role-mark [^"]*"[^>]*>(.*?)<\/g>/.exec(svg)?.[1] ?? '';
  return [...group.matchAll(/<path aria-label="([^"]*)"[^>]* d="([^"]+)"/g)].map(([, name = '', d = '']) => {
    const numbers = [...d.matchAll(/-?[\d.]+(?:e-?\d+)?/g)].map(Number);
    const xs = numbers.filter((_, index) => index % 2 === 0);
    const ys = numbers.filter((_, index) => index % 2 === 1);
    return {
      name,
      box: {
        left: Math.min(...xs) - 1,
        right: Math.max(...xs) + 1,
        top: Math.min(...ys) - 1,
        bottom: Math.max(...ys) + 1,
      },
    };
  });
}

const overlaps = (a: LabelBox, b: LabelBox) =>
  a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

const unescapeXml = (text: string) =>
  text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

describe('kas-graph timeline labels', () => {
  let directory: string;
  let svg: string;
  beforeAll(async () => {
    assertBuilt();
    directory = mkdtempSync(join(tmpdir(), 'kas-graph-timeline-labels-'));
    const trace = join(directory, 'cut.jsonl');
    await recordCutStop(trace);
    const output = join(directory, 'cut.svg');
    const run = await runKasGraph(['timeline', trace, '-o', output, '--stop-only']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    svg = readFileSync(output, 'utf8');
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('keeps a mark at the moment of a drain cut apart from the cut\'s label ("drain.cut" and "cut (budget)" read as "dra(budget)")', () => {
    const labels = markLabelBoxes(svg);
    expect(labels.map((label) => label.text)).toEqual(
      expect.arrayContaining(['drain.cut', 'cut (budget)', 'listener.closed', 'goaway.sent']),
    );
    const collisions = labels.flatMap((a, index) =>
      labels.slice(index + 1).flatMap((b) => (overlaps(a.box, b.box) ? [`${a.text} / ${b.text}`] : [])),
    );
    expect(collisions).toEqual([]);
  });

  it('draws no label across a bar ("listener.closed" looked struck through by the bar\'s border)', () => {
    const bars = barBoxes(svg);
    expect(bars.length).toBeGreaterThan(0);
    const crossings = markLabelBoxes(svg).flatMap((label) =>
      bars.flatMap((bar) => (overlaps(label.box, bar.box) ? [`${label.text} on ${bar.name}`] : [])),
    );
    expect(crossings).toEqual([]);
  });

  it('explains the red outline of a cut or failed bar, and the faded bar of a phase the trace ends in, in the legend', () => {
    const legendLabels = [
      ...svg.matchAll(/<g class="mark-text role-legend-(?:label|title)"[^>]*>(.*?)<\/g>/g),
    ].flatMap((group) => [...(group[1] ?? '').matchAll(/>([^<]+)<\/text>/g)].map((text) => text[1]));
    expect(legendLabels).toEqual(expect.arrayContaining(['phase', 'event', 'drain cut']));
    expect(legendLabels).toEqual(
      expect.arrayContaining(['bar', 'cut (red outline)', 'failed (red outline)', 'unfinished (faded)']),
    );
  });
});

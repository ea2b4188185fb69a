import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawableText } from '../../src/cli/timeline/drawableText.js';
import { assertBuilt, runKasGraph } from './runKasGraph.js';

/** A character XML 1.0 allows (its `Char` production): tab, LF, CR, and no other control or noncharacter. */
const isXmlChar = (codePoint: number) =>
  codePoint === 0x9 ||
  codePoint === 0xa ||
  codePoint === 0xd ||
  (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
  (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
  (codePoint >= 0x10000 && codePoint <= 0x10ffff);

/**
 * What makes `xml` not well-formed XML 1.0 for its characters, as a strict parser (a browser's DOMParser,
 * expat) refuses it: each character outside `Char`, raw or as a character reference. Empty when none.
 */
function charactersXmlRefuses(xml: string): string[] {
  const refused: string[] = [];
  for (const character of xml) {
    const codePoint = character.codePointAt(0) ?? 0;
    if (!isXmlChar(codePoint)) refused.push(`U+${codePoint.toString(16).padStart(4, '0')}`);
  }
  for (const [reference, hex, decimal] of xml.matchAll(/&#(?:x([0-9a-f]+)|(\d+));/gi)) {
    if (!isXmlChar(hex === undefined ? Number(decimal) : Number.parseInt(hex, 16))) refused.push(reference);
  }
  return refused;
}

const WEB = 'web\u001b[31m'; // a module name with an ANSI colour
/**
 * A trace's lines (the fields the timeline reads): a stop whose every text the timeline draws holds control
 * characters, ESC, BEL, NUL, BS, VT, US, DEL and a C1 CSI, as do a progress record and the file's name.
 */
const HOSTILE_TRACE: readonly Readonly<Record<string, unknown>>[] = [
  { type: 'app.starting', at: 0, wallClock: 1_700_000_000_000, modules: [WEB, 'db'] },
  { type: 'module.starting', at: 1, module: WEB },
  { type: 'module.started', at: 2, module: WEB },
  { type: 'module.starting', at: 1, module: 'db' },
  { type: 'module.started', at: 2, module: 'db' },
  { type: 'app.stopping', at: 100, reason: 'scale\u0007down\u0000' },
  { type: 'module.stopping', at: 101, module: WEB },
  { type: 'module.mark', at: 110, module: WEB, name: 'goaway\u001b[0m.sent\u000b' },
  { type: 'module.progress', at: 111, module: WEB, progress: { 'in\u001bFlight': 'three\u0001' } },
  { type: 'module.drainCut', at: 120, module: WEB, reason: 'bud\u0008get' },
  { type: 'module.stopOverdue', at: 125, module: WEB, reason: 'sig\u007fnal' },
  { type: 'module.stopped', at: 130, module: WEB },
  { type: 'module.stopping', at: 101, module: 'db' },
  { type: 'module.failed', at: 140, module: 'db', error: { message: 'boom \u001b[2K\u009b\u0002' } },
  { type: 'shutdown.deadline', at: 150, pending: ['x\u001f'] },
];

describe('kas-graph timeline of a trace whose text holds control characters', () => {
  let directory: string;
  let trace: string;
  beforeAll(() => {
    assertBuilt();
    directory = mkdtempSync(join(tmpdir(), 'kas-graph-timeline-controls-'));
    trace = join(directory, 'stop\u001b[1m.jsonl'); // the file's name is the chart's title
    writeFileSync(trace, `${HOSTILE_TRACE.map((event) => JSON.stringify(event)).join('\n')}\n`);
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('writes an SVG that parses as XML, each control character drawn as its escape (it was a raw ESC the parser refused)', async () => {
    const output = join(directory, 'stop.svg');
    const run = await runKasGraph(['timeline', trace, '-o', output]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const svg = readFileSync(output, 'utf8');
    expect(svg).toMatch(/^<svg [^>]*class="marks"/);
    expect(charactersXmlRefuses(svg)).toEqual([]);
    for (const label of [
      'web\\x1b[31m', // a row's name
      'stop (scale\\x07down\\x00)',
      'goaway\\x1b[0m.sent\\x0b',
      'cut (bud\\x08get)',
      'stop overdue: ignores its cut (sig\\x7fnal)',
      'failed: boom \\x1b[2K\\x9b\\x02',
      'deadline: cut x\\x1f',
      'lifecycle timeline: stop\\x1b[1m.jsonl',
    ]) {
      expect(svg).toContain(`>${label}</text>`);
    }
  });

  it('writes the HTML page with that picture, and the trace as JSON lines, controls escaped as JSON escapes them', async () => {
    const output = join(directory, 'stop.html');
    const run = await runKasGraph(['timeline', trace, '-o', output]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const html = readFileSync(output, 'utf8');
    const figure = /<figure>(.*)<\/figure>/s.exec(html)?.[1] ?? '';
    expect(figure).toContain('>goaway\\x1b[0m.sent\\x0b</text>');
    expect(charactersXmlRefuses(figure)).toEqual([]);
    const lines = /<pre>(.*)<\/pre>/s.exec(html)?.[1] ?? '';
    expect(lines).toContain('goaway\\u001b[0m.sent\\u000b');
    expect(charactersXmlRefuses(lines)).toEqual([]);
    expect(charactersXmlRefuses(html)).toEqual([]); // the page's title and heading name the trace file too
    expect(html).toContain('<h1>lifecycle timeline: stop\\x1b[1m.jsonl</h1>');
  });

  it('drawableText turns any text into one an XML text node can hold, with no control character, and leaves other text as it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (text) => {
        const drawable = drawableText(text);
        expect(charactersXmlRefuses(drawable)).toEqual([]);
        expect(drawable).not.toMatch(/\p{Cc}/u);
        if (!/[\p{Cc}\p{Cs}\ufffe\uffff]/u.test(text)) expect(drawable).toBe(text);
      }),
    );
  });
});

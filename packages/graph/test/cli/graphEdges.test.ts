import { defineModule, resolvePlan } from '@kas/core';
import { describe, expect, it } from 'vitest';
import { graphEdges } from '../../src/cli/draw/graphEdges.js';

const hooks = () => ({ start: async () => {}, stop: async () => {} });

describe('the edges kas-graph draw labels', () => {
  // `last` is expanded into `after` pairs in the plan, and every edge it made was drawn `stop (after)`:
  // a reader looked for an after nobody wrote.
  it('labels an order stop.last makes "stop (last)", a declared one "stop (after)", a default one "stop"', () => {
    const plan = resolvePlan({
      modules: [
        defineModule({ name: 'metrics', stop: { last: true }, create: hooks }),
        defineModule({ name: 'queue', create: hooks }),
        defineModule({ name: 'worker', startAfter: ['queue'], create: hooks }),
        defineModule({ name: 'audit', stop: { after: ['queue'] }, create: hooks }),
      ],
    });
    const labels = graphEdges(plan).stop.map((edge) => `${edge.from} -> ${edge.to}: ${edge.label}`);
    expect(labels).toEqual(
      expect.arrayContaining([
        'worker -> queue: stop',
        'queue -> audit: stop (after)',
        'audit -> metrics: stop (last)',
      ]),
    );
    expect(labels.filter((label) => label.endsWith('stop (after)'))).toEqual([
      'queue -> audit: stop (after)',
    ]);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runKasGraph } from './runKasGraph.js';

const fixture = 'test/fixtures/long-cycles/longCycles.ts';

describe('a cycle through 1,000 modules', () => {
  beforeAll(assertBuilt);

  it.each([
    [
      'startCycle',
      'KAS_START_CYCLE',
      'start cycle: m0 -> m999 -> m998 -> m997 -> m996 -> … 991 more modules … -> m4 -> m3 -> m2 -> m1 -> m0 (',
    ],
    [
      'stopCycle',
      'KAS_STOP_CYCLE',
      'stop cycle: m0 -[after]-> m1 -[after]-> m2 -[after]-> m3 -[after]-> m4 -[after]-> … 991 more modules … -[after]-> m996 -[after]-> m997 -[after]-> m998 -[after]-> m999 -[after]-> m0 (',
    ],
  ])(
    '%s: lint and plan show its ends on a short line (at 10,000 it was one line of 158-258 KB); JSON keeps it whole',
    async (name, code, path) => {
      const lint = await runKasGraph(['lint', `${fixture}#${name}`]);
      expect(lint.code).toBe(1);
      const line = lint.stdout.split('\n').find((text) => text.startsWith(`error ${code} `)) ?? '';
      expect(line).toContain(path);
      expect(line).toMatch(/ \[m0, m\d+, m\d+, m\d+, m\d+, … 990 more …, m\d+, m\d+, m\d+, m\d+, m\d+\] /);
      expect(line.length).toBeLessThan(1_000);
      if (code === 'KAS_START_CYCLE')
        expect(line).toContain(
          '(m0 declares startAfter m999; m999 declares startAfter m998; m998 declares startAfter m997; m997 declares startAfter m996; m996 declares startAfter m995; … 990 more …; m5 declares startAfter m4; ',
        );

      const plan = await runKasGraph(['plan', `${fixture}#${name}`]);
      expect(plan.code).toBe(1);
      expect(plan.stderr).toContain(path);
      expect(plan.stderr.length).toBeLessThan(1_500);

      const json = JSON.parse((await runKasGraph(['lint', `${fixture}#${name}`, '--format', 'json'])).stdout);
      const finding = json.findings.find((f: { code: string }) => f.code === code);
      expect(finding.modules).toHaveLength(1_000);
      expect(finding.message).toContain(' m500 ');
    },
  );
});

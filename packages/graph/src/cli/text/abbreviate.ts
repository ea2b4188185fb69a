/** How many modules a text line shows at each end of a long list or cycle before it skips the middle. */
const SHOWN_AT_EACH_END = 5;

const count = (n: number) => n.toLocaleString('en-US');

/**
 * A finding's modules for one line of text: all of them, or for a long list (a cycle of 10,000 modules)
 * the first and last few with `… N more …` between. JSON and SARIF keep the whole list.
 */
export function abbreviateModules(modules: readonly string[]): string {
  if (modules.length <= 2 * SHOWN_AT_EACH_END + 1) return modules.join(', ');
  const hidden = modules.length - 2 * SHOWN_AT_EACH_END;
  return [
    ...modules.slice(0, SHOWN_AT_EACH_END),
    `… ${count(hidden)} more …`,
    ...modules.slice(-SHOWN_AT_EACH_END),
  ].join(', ');
}

// A step of a cycle path as @kas/core writes it: `a -> b` (start), `a -[why]-> b`, `a ~with~ b` (stop).
const STEP = / (?:->|-\[[^\]\s]+\]->|~with~) /g;
const PATH = /cycle: (.*?)( \(|$)/;

/**
 * A problem's message for one line of text, with a long cycle path (`cycle: a -> b -> … -> a`) cut to its
 * first and last few steps and `… N more modules …` between, and the reasons after it (`(a declares
 * startAfter b; b needs t from c; …)`, one per step) cut the same way. Other messages are returned as
 * they are.
 */
export function abbreviateCycle(message: string): string {
  const match = PATH.exec(message);
  const path = match?.[1];
  if (match === null || path === undefined) return message;
  const members = path.split(STEP);
  const steps = [...path.matchAll(STEP)].map((step) => step[0]);
  if (members.length <= 2 * SHOWN_AT_EACH_END + 1 || steps.length !== members.length - 1) return message;
  const hidden = members.length - 2 * SHOWN_AT_EACH_END;
  const head = members
    .slice(0, SHOWN_AT_EACH_END)
    .map((member, i) => `${member}${steps[i]}`)
    .join('');
  const tailStart = members.length - SHOWN_AT_EACH_END;
  const tail = members
    .slice(tailStart)
    .map((member, i) => `${i === 0 ? '' : steps[tailStart + i - 1]}${member}`)
    .join('');
  const shortened = `${head}… ${count(hidden)} more modules …${steps[tailStart - 1]}${tail}`;
  const rest = message.slice(match.index + 7 + path.length);
  return `${message.slice(0, match.index)}cycle: ${shortened}${abbreviateReasons(rest)}`;
}

/** ` (r1; r2; …; rN)…` with many reasons: the first and last few, `… N more …` between. */
function abbreviateReasons(rest: string): string {
  const reasons = /^ \(([^()]*)\)/.exec(rest);
  const parts = reasons?.[1]?.split('; ') ?? [];
  if (reasons === null || parts.length <= 2 * SHOWN_AT_EACH_END + 1) return rest;
  const hidden = parts.length - 2 * SHOWN_AT_EACH_END;
  const kept = [
    ...parts.slice(0, SHOWN_AT_EACH_END),
    `… ${count(hidden)} more …`,
    ...parts.slice(-SHOWN_AT_EACH_END),
  ];
  return ` (${kept.join('; ')})${rest.slice(reasons[0].length)}`;
}

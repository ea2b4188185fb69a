import type { AppPlan, StopEdge } from '@kas/core';
import { formatDuration } from '@kas/core';
import { stageLabel } from '../../lint/stageLabel.js';
import { stopTimings } from '../../lint/stopTimings.js';
import { commaSeparated, wrapWords } from './wrapWords.js';

/**
 * Both plans as readable text: start stages with what each module starts after; stop stages with what
 * each waits for (and why), drain budgets, worst-case begin and completion; the critical path. One module
 * per line; a list that passes 100 columns wraps onto indented lines, and a stage with a very long id
 * (thousands of members) is named by its first and last members and its size.
 */
export function formatPlan(plan: AppPlan): string {
  const lines: string[] = [
    'Start plan (the modules of a stage start together, once every earlier stage has started; a module starts after those it names in startAfter and those it needs a DI token from)',
  ];
  const byName = new Map(plan.modules.map((module) => [module.name, module]));
  for (const stage of plan.start.stages) {
    lines.push(`  stage ${stage.index + 1}`);
    for (const name of stage.modules) {
      const after = byName.get(name)?.startAfter ?? [];
      // A need is said with the module as its subject and the provider after "from": "tunnel-tracker
      // needs tunnel-tracker.replica-identity from private-api", never "private-api (needs ...)".
      const declared = after.filter((dependency) => dependency.reason !== 'needs');
      const needed = after.filter((dependency) => dependency.reason === 'needs');
      const afterWords = listWords(
        'after',
        declared.map((dependency) => dependency.module),
      );
      const needsWords = listWords(
        'needs',
        needed.map((dependency) => `${dependency.token ?? 'a token'} from ${dependency.module}`),
      );
      const last = afterWords.length - 1;
      if (needsWords.length > 0 && last >= 0) afterWords[last] = `${afterWords[last]};`;
      const words = [...afterWords, ...needsWords];
      lines.push(...wrapWords(words.length > 0 ? `    ${name} ` : `    ${name}`, words, '        '));
    }
  }

  const timings = stopTimings(plan.stop);
  const edgesTo = new Map<string, StopEdge[]>();
  for (const edge of plan.stop.edges) {
    const edges = edgesTo.get(edge.to);
    if (edges === undefined) edgesTo.set(edge.to, [edge]);
    else edges.push(edge);
  }
  lines.push(
    '',
    'Stop plan (a stage begins when every stage it waits for has completed; its members stop together; times are worst cases after SIGTERM)',
  );
  const labels = new Map(plan.stop.stages.map((stage) => [stage.id, stageLabel(stage)]));
  const label = (id: string) => labels.get(id) ?? id;
  for (const stage of plan.stop.stages) {
    const timing = timings.get(stage.id);
    lines.push(
      `  stage ${label(stage.id)}  begins by ${formatDuration(timing?.latestBeginMs ?? 0)}, completes by ${formatDuration(timing?.latestCompleteMs ?? 0)} (drain budget ${formatDuration(stage.drainBudgetMs)})`,
      ...(stage.follows.length > 0
        ? wrapWords('    waits for:', commaSeparated(stage.follows.map(label)), '        ')
        : ['    waits for: nothing (begins at SIGTERM)']),
    );
    for (const member of stage.members) {
      const module = byName.get(member);
      // A module that declares `stop: { last: true }` stops after every other: say so rather than
      // "declared after" for modules its declaration never names.
      const afterReason = module?.stop.last === true ? 'declared last' : 'declared after';
      const waits = (edgesTo.get(member) ?? []).map(
        (edge) => `${edge.from} (${edge.reason === 'after' ? afterReason : 'started after it'})`,
      );
      const drain = `    ${member}  drain ${formatDuration(module?.drainBudgetMs ?? 0)}`;
      lines.push(
        ...(waits.length > 0
          ? wrapWords(`${drain}; stops after`, commaSeparated(waits), '        ')
          : [drain]),
      );
    }
  }
  const { stages, worstCaseMs } = plan.stop.criticalPath;
  const budgets = new Map(plan.stop.stages.map((stage) => [stage.id, stage.drainBudgetMs]));
  const path = stages.map(
    (id, index) =>
      `${label(id)} (${formatDuration(budgets.get(id) ?? 0)})${index < stages.length - 1 ? ' ->' : ';'}`,
  );
  lines.push(
    '',
    ...wrapWords(
      'Critical path:',
      [...(path.length > 0 ? path : ['none;']), `worst case ${formatDuration(worstCaseMs)}`],
      '  ',
    ),
  );
  return `${lines.join('\n')}\n`;
}

/** A list as words for `wrapWords`: `after a,` `b,` `c` (the lead word glued to the first item). */
function listWords(lead: string, items: readonly string[]): string[] {
  const words = commaSeparated(items);
  if (words.length > 0) words[0] = `${lead} ${words[0]}`;
  return words;
}

/** Both plans as JSON, with the worst-case timing of every stop stage. */
export function planToJson(plan: AppPlan): string {
  const timings = Object.fromEntries(stopTimings(plan.stop));
  return `${JSON.stringify({ schemaVersion: 1, plan, stopTimings: timings }, null, 2)}\n`;
}

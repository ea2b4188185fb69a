import type { AppPlan } from '@kas/core';
import { formatDuration } from '@kas/core';
import { graphEdges } from './graphEdges.js';

/** Both plans as a Mermaid flowchart (text for READMEs): a subgraph per plan and per stage, labelled edges. */
export function toMermaid(plan: AppPlan): string {
  const ids = new Map(plan.modules.map((module, index) => [module.name, index]));
  const node = (prefix: 's' | 't', name: string) => `${prefix}${ids.get(name) ?? name}`;
  const text = (value: string) => `"${value.replaceAll('"', '#quot;')}"`;
  const edges = graphEdges(plan);
  const lines = ['flowchart TB', '  subgraph start_plan["start plan"]', '    direction TB'];
  for (const stage of plan.start.stages) {
    lines.push(`    subgraph start_${stage.index}[${text(`start stage ${stage.index + 1}`)}]`);
    for (const name of stage.modules) lines.push(`      ${node('s', name)}[${text(name)}]`);
    lines.push('    end');
  }
  for (const edge of edges.start)
    lines.push(`    ${node('s', edge.from)} -->|${text(edge.label)}| ${node('s', edge.to)}`);
  lines.push('  end', '  subgraph stop_plan["stop plan"]', '    direction TB');
  plan.stop.stages.forEach((stage, index) => {
    lines.push(
      `    subgraph stop_${index}[${text(`stop stage ${stage.id} (drain ≤ ${formatDuration(stage.drainBudgetMs)})`)}]`,
    );
    for (const name of stage.members) lines.push(`      ${node('t', name)}[${text(name)}]`);
    lines.push('    end');
  });
  for (const edge of edges.stop) {
    const arrow = edge.kind === 'stop' ? '-->' : edge.kind === 'with' ? '===' : '-.-';
    lines.push(`    ${node('t', edge.from)} ${arrow}|${text(edge.label)}| ${node('t', edge.to)}`);
  }
  lines.push('  end');
  return `${lines.join('\n')}\n`;
}

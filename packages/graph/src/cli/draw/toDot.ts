import type { AppPlan } from '@kas/core';
import { formatDuration } from '@kas/core';
import { type DrawnEdge, graphEdges } from './graphEdges.js';

const quote = (text: string) =>
  `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`;

/** Both plans as one Graphviz digraph: a cluster per plan, a cluster per stage, labelled edges. */
export function toDot(plan: AppPlan, title: string): string {
  const edges = graphEdges(plan);
  const lines = [
    `digraph ${quote(title)} {`,
    '  rankdir=TB; compound=true; newrank=true;',
    `  label=${quote(title)}; labelloc=t; fontname="Helvetica";`,
    '  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="Helvetica", fontsize=11];',
    '  edge [fontname="Helvetica", fontsize=9];',
    '  subgraph cluster_start {',
    '    label="start plan"; style="rounded"; color="#4c78a8";',
  ];
  for (const stage of plan.start.stages) {
    lines.push(`    subgraph cluster_start_${stage.index} {`);
    lines.push(
      `      label=${quote(`start stage ${stage.index + 1}`)}; style="rounded,dashed"; color="#9ecae9";`,
    );
    for (const name of stage.modules) lines.push(`      ${quote(`start:${name}`)} [label=${quote(name)}];`);
    lines.push('    }');
  }
  for (const edge of edges.start) lines.push(`    ${dotEdge('start', edge)}`);
  lines.push('  }', '  subgraph cluster_stop {', '    label="stop plan"; style="rounded"; color="#e45756";');
  plan.stop.stages.forEach((stage, index) => {
    lines.push(`    subgraph cluster_stop_${index} {`);
    lines.push(
      `      label=${quote(`stop stage ${stage.id}\ndrain ≤ ${formatDuration(stage.drainBudgetMs)}`)}; style="rounded,dashed"; color="#ff9d98";`,
    );
    for (const name of stage.members) lines.push(`      ${quote(`stop:${name}`)} [label=${quote(name)}];`);
    lines.push('    }');
  });
  for (const edge of edges.stop) lines.push(`    ${dotEdge('stop', edge)}`);
  lines.push('  }', '}');
  return `${lines.join('\n')}\n`;
}

function dotEdge(plan: 'start' | 'stop', edge: DrawnEdge): string {
  const style =
    edge.kind === 'with'
      ? ', dir=none, style=bold, constraint=false, color="#e45756"'
      : edge.kind === 'alongside'
        ? ', dir=none, style=dashed, constraint=false, color="#888888"'
        : '';
  return `${quote(`${plan}:${edge.from}`)} -> ${quote(`${plan}:${edge.to}`)} [label=${quote(edge.label)}${style}];`;
}

import type { BenchmarkResult } from './Benchmark.js';

/** A result as a Markdown table (readable in a terminal, pasteable into bench/README.md). */
export function formatTable(result: BenchmarkResult): string {
  const cells = result.rows.map((row) => result.columns.map((column) => String(row[column] ?? '')));
  const widths = result.columns.map((column, index) =>
    Math.max(column.length, 3, ...cells.map((row) => (row[index] as string).length)),
  );
  const line = (values: readonly string[]) =>
    `| ${values.map((value, index) => value.padEnd(widths[index] as number)).join(' | ')} |`;
  return [line(result.columns), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join(
    '\n',
  );
}

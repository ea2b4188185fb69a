/** One row of a benchmark's table: column name to value. */
export type BenchmarkRow = Readonly<Record<string, string | number>>;

/** What a benchmark measured: a table, and notes that say how to read it. */
export interface BenchmarkResult {
  readonly columns: readonly string[];
  readonly rows: readonly BenchmarkRow[];
  readonly notes?: readonly string[];
}

/** A benchmark `npm run bench -- <name>` can run. */
export interface Benchmark {
  readonly name: string;
  readonly description: string;
  run(): Promise<BenchmarkResult>;
}

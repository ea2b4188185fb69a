/**
 * `@kas/core/analysis`: plan resolution for tools. `analyzeComposition` resolves both plans of a
 * composition and returns every problem instead of throwing the first, as `kas-graph` needs.
 */
export { analyzeComposition, type CompositionAnalysis } from './plan/analyzeComposition.js';

// Throughput measurement behind `anneal bench` (docs/benchmarks.md).
export { median, runBench, type BenchOptions, type BenchResult } from './bench.js';

// Throughput measurement behind `anneal bench` (docs/benchmarks.md).
export { median, runBench, runBenchChecked, type BenchOptions, type BenchResult } from './bench.js';

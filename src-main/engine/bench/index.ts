// Throughput measurement behind `anneal bench` (docs/benchmarks.md).
export { median, runBench, type BenchOptions, type BenchResult, type CheckedBenchResult } from './bench.js';
export { checkGradients, type GradCheck } from './check.js';
export { profileTrainStep, type KernelTime } from './profile.js';

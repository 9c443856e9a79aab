// `anneal bench`: training and inference throughput of a zoo architecture on random data, on the
// backend a run would use (or the one named). docs/benchmarks.md records it beside PyTorch's
// numbers from bench/torch_bench.py, measured in the same session.
import type { Command } from 'commander';
import {
  getArch,
  runBench,
  TRAIN_ENGINE_CHOICES,
  type CheckedBenchResult,
  type TrainEngineChoice,
} from '../../engine/index.js';
import { nonNegativeInt, positiveInt, type Io } from '../options.js';

interface BenchFlags {
  model: string;
  imageSize: number;
  batchSize: number;
  steps: number;
  warmup: number;
  backend?: string;
  json?: boolean;
  check?: boolean;
  trainEngine?: TrainEngineChoice;
}

function table(r: CheckedBenchResult): string {
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(2));
  return [
    `${r.model} at ${r.image_size} px, batch ${r.batch_size}, ${r.steps} steps (medians) on ${r.backend}: ${r.device}${r.threads ? `, ${r.threads} thread${r.threads === 1 ? '' : 's'}` : ''}`,
    `  train (all layers)          ${f(r.train_img_per_s)} img/s (${r.train_engine})`,
    `  train (frozen backbone)     ${f(r.frozen_train_img_per_s)} img/s`,
    `  train (frozen, cached)      ${f(r.frozen_cached_img_per_s)} img/s`,
    `  feature extraction          ${f(r.features_img_per_s)} img/s (${r.forward_runtime})`,
    `  inference                   ${f(r.infer_img_per_s)} img/s (TF.js ${r.backend})`,
    `  inference (predict, eval)   ${f(r.forward_img_per_s)} img/s (${r.forward_runtime})`,
    `  peak RSS                    ${r.peak_rss_mb} MB (training alone: ${r.train_peak_rss_mb} MB)`,
    `  leaked tensors              ${r.leaked_tensors}`,
    ...(r.grad_rel_err === undefined
      ? []
      : [
          `  gradients vs cpu (rel. L2)  ${r.grad_rel_err.toExponential(2)} over ${r.check_batch} images; worst weight ${r.grad_worst?.weight} ${r.grad_worst?.rel_err.toExponential(2)}`,
        ]),
    '',
  ].join('\n');
}

export function registerBench(program: Command, io: Io): void {
  program
    .command('bench')
    .description('measure training and inference images/s of an architecture on random data')
    .option('--model <id>', 'architecture id', 'resnet18')
    .option('--image-size <n>', 'input size in pixels', positiveInt('--image-size'), 64)
    .option('--batch-size <n>', 'images per batch', positiveInt('--batch-size'), 16)
    .option('--steps <n>', 'timed steps per measurement (the median is reported)', positiveInt('--steps'), 10)
    .option('--warmup <n>', 'untimed steps first', nonNegativeInt('--warmup'), 2)
    .option('--backend <name>', 'tensorflow, webgpu, wasm or cpu (default: what training would use)')
    .addOption(
      program
        .createOption(
          '--train-engine <engine>',
          'what computes the training steps (auto: onnxruntime on a CPU backend)',
        )
        .choices(TRAIN_ENGINE_CHOICES),
    )
    .option('--check', "also compare one training step's gradients with the cpu backend's (grad_rel_err)")
    .option('--json', 'print {"backend","device","train_img_per_s","infer_img_per_s","frozen_train_img_per_s",…}')
    .action(async (flags: BenchFlags) => {
      getArch(flags.model);
      const r: CheckedBenchResult = await runBench({
        model: flags.model,
        imageSize: flags.imageSize,
        batchSize: flags.batchSize,
        steps: flags.steps,
        warmup: flags.warmup,
        backend: flags.backend,
        check: flags.check,
        trainEngine: flags.trainEngine,
        onPhase: (p) => io.stderr(`bench: ${p}…\n`),
      });
      io.stdout(flags.json ? `${JSON.stringify(r)}\n` : table(r));
    });
}

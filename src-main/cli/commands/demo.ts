// `anneal demo`: what pretraining plus two-stage fine-tuning buys, in a few minutes, offline.
// Fine-tunes the bundled pretrained resnet_micro on a generated 4-class dataset (fastai
// fine_tune), then trains the same architecture from scratch for as many epochs, and compares.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  bundledModelDir,
  makeShapes,
  readModelMeta,
  startRun,
  type Progress,
  type RunResult,
} from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { positiveInt, type Io } from '../options.js';

interface DemoFlags {
  out: string;
  epochs: number;
  images: number;
  json?: boolean;
}

export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description(
      'fine-tune the bundled pretrained resnet_micro on a generated dataset and compare with training from scratch',
    )
    .option('--out <dir>', 'folder that holds the two runs', 'runs')
    .option('--epochs <n>', 'unfrozen epochs (after one frozen epoch)', positiveInt('--epochs'), 4)
    .option('--images <n>', 'images per class in the generated dataset', positiveInt('--images'), 50)
    .option('--json', 'print {"pretrained": {...}, "scratch": {...}}')
    .action(async (flags: DemoFlags) => {
      const micro = bundledModelDir('resnet_micro');
      if (!micro)
        throw new UsageError(
          'the bundled models/resnet_micro is missing: run `npx tsx scripts/pretrain-resnet-micro.ts`',
        );
      const lr = readModelMeta(micro).fineTuneLr ?? 2e-3;
      const work = mkdtempSync(join(tmpdir(), 'anneal-demo-'));
      const say = (s: string) => (flags.json ? undefined : io.stdout(`${s}\n`));
      const progress = (p: Progress) => {
        if (p.kind !== 'epoch' || flags.json) return;
        const e = p.epochLogs!;
        say(
          `  epoch ${p.epoch + 1}/${p.epochs} (${p.stageName}) loss ${e.loss.toFixed(3)} val_accuracy ${(e.val_accuracy ?? NaN).toFixed(3)}`,
        );
      };
      try {
        const data = join(work, 'shapes');
        say(
          `Generating a sample dataset: 4 classes (circle, cross, square, triangle), ${flags.images * 4} images of 32 px`,
        );
        await makeShapes(data, flags.images);
        const common = { data, imageSize: 32, seed: 0 };
        say(
          `\n[1/2] Fine-tuning the pretrained resnet_micro: 1 epoch with the backbone frozen, then ${flags.epochs} with every layer (fastai fine_tune, base rate ${lr})`,
        );
        const t0 = performance.now();
        const pre = await startRun(
          {
            ...common,
            model: 'resnet_micro',
            recipe: { type: 'fineTune', epochs: flags.epochs, freezeEpochs: 1, baseLr: lr },
          },
          { out: flags.out, onProgress: progress },
        );
        const preSeconds = (performance.now() - t0) / 1000;
        say(
          `\n[2/2] Training the same architecture from random weights for ${flags.epochs + 1} epochs (one-cycle, max rate ${lr})`,
        );
        const t1 = performance.now();
        const scratch = await startRun(
          {
            ...common,
            model: 'resnet_micro',
            pretrained: false,
            stages: [
              { name: 'scratch', epochs: flags.epochs + 1, schedule: { type: 'oneCycle', maxLr: lr, pctStart: 0.3 } },
            ],
          },
          { out: flags.out, onProgress: progress },
        );
        const scratchSeconds = (performance.now() - t1) / 1000;
        report(io, flags, pre, preSeconds, scratch, scratchSeconds);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
}

function report(io: Io, flags: DemoFlags, pre: RunResult, preS: number, scratch: RunResult, scratchS: number): void {
  const row = (r: RunResult, s: number) => ({
    val_accuracy: r.final.val_accuracy,
    val_loss: r.final.val_loss,
    seconds: Math.round(s),
    runDir: r.runDir,
  });
  if (flags.json) {
    io.stdout(`${JSON.stringify({ pretrained: row(pre, preS), scratch: row(scratch, scratchS) })}\n`);
    return;
  }
  const fmt = (v: number | null) => (v === null ? '  -  ' : v.toFixed(3));
  io.stdout(
    [
      '',
      `Result on ${pre.backend.name} (${pre.backend.device ?? 'unknown device'}):`,
      '                                 val_accuracy  val_loss  time',
      `  pretrained + fine_tune         ${fmt(pre.final.val_accuracy)}         ${fmt(pre.final.val_loss)}     ${Math.round(preS)} s`,
      `  same model from scratch        ${fmt(scratch.final.val_accuracy)}         ${fmt(scratch.final.val_loss)}     ${Math.round(scratchS)} s`,
      '',
      `Runs: ${pre.runDir}`,
      `      ${scratch.runDir}`,
      `Next: npx anneal predict --model ${join(pre.runDir, 'model')} <image>`,
      '',
    ].join('\n'),
  );
}

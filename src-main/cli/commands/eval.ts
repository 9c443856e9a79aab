// `anneal eval`: a trained model on labelled images: per-class precision/recall/F1 (sklearn's
// classification_report), top-k accuracy, loss, the confusion matrix and the highest-loss images.
import type { Command } from 'commander';
import {
  describeTta,
  evaluate,
  loadModelSource,
  renderConfusionPng,
  resolveEvalTarget,
  ttaRun,
  useBackend,
} from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { formatEvalReport } from '../format/index.js';
import { writeFileAtomic } from '../io.js';
import { positiveInt, type Io } from '../options.js';
import { ttaFromFlags, type TtaFlags } from '../tta-options.js';

interface EvalFlags extends TtaFlags {
  data?: string;
  topK: number;
  topLosses: number;
  batchSize: number;
  backend?: string;
  plot?: string;
  json?: boolean;
}

const wholeNumber = (flag: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new UsageError(`${flag} must be a whole number >= 0`);
  return Number(v);
};

export function registerEval(program: Command, io: Io): void {
  program
    .command('eval')
    .description('evaluate a trained model: per-class precision/recall/F1, confusion matrix, top losses')
    .argument(
      '<dir>',
      'a run folder (its model/, else its best checkpoint, on its validation split) or a model dir (needs --data)',
    )
    .option('--data <dir>', 'evaluate on every image of this image folder, train/ + val/ folders, or CSV list')
    .option('--top-k <k>', 'k of the top-k accuracy', positiveInt('--top-k'), 5)
    .option('--top-losses <n>', 'how many of the highest-loss images to list', wholeNumber('--top-losses'), 10)
    .option('--batch-size <n>', 'images per forward pass', positiveInt('--batch-size'), 32)
    .option('--backend <name>', 'TF.js backend (default: the fastest for inference)')
    .option('--plot <file.png>', 'draw the confusion matrix as a heatmap')
    .option('--json', 'print the result as one JSON object (docs/evaluate.md)')
    .action(async (dir: string, flags: EvalFlags) => {
      const tta = ttaFromFlags(flags);
      const target = await resolveEvalTarget(dir, { data: flags.data });
      const backend = await useBackend('inference', flags.backend);
      const { model } = await loadModelSource(target.model);
      const tty = Boolean(process.stderr.isTTY) && !flags.json;
      let result;
      try {
        result = await evaluate(model, target.meta, target.samples, {
          batchSize: flags.batchSize,
          topK: flags.topK,
          topLosses: flags.topLosses,
          ...(tta ? { tta: ttaRun(tta, target.run) } : {}),
          onProgress: tty ? (done, total) => io.stderr(`\revaluating ${done}/${total} image views`) : undefined,
        });
      } finally {
        model.dispose();
        if (tty) io.stderr('\n');
      }
      const skipped = [...target.problems, ...result.skipped];
      const what = target.run
        ? `run ${target.run.id}${target.model.checkpoint ? ` (${target.model.weights})` : ''}`
        : target.model.path;
      if (flags.plot) {
        const title = `Confusion matrix: accuracy ${result.accuracy.toFixed(3)} on ${result.count} images`;
        const subtitle = `${target.meta.arch}, ${what}, on ${target.source}`;
        writeFileAtomic(flags.plot, renderConfusionPng(result, { title, subtitle }));
        io.stderr(`anneal: wrote ${flags.plot}\n`);
      }
      if (skipped.length) {
        io.stderr(`anneal: skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} that could not be used:\n`);
        for (const s of skipped) io.stderr(`  ${s.path}: ${s.reason}\n`);
      }
      if (flags.json) {
        io.stdout(`${JSON.stringify({ ...result, skipped })}\n`);
        return;
      }
      io.stdout(`${target.meta.arch}, ${what}, on ${target.source}; backend ${backend.name}\n\n`);
      if (result.tta) {
        const p = result.tta.plain;
        io.stdout(`test-time augmentation: ${describeTta(result.tta)}\n`);
        io.stdout(`without it: accuracy ${p.accuracy.toFixed(4)}, loss ${p.loss.toFixed(4)}\n\n`);
      }
      io.stdout(formatEvalReport(result));
    });
}

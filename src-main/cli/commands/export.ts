// `anneal export`: a run's or a model dir's model as ONNX (preprocessing inside the graph) or
// TF.js, with labels.json, preprocessing.json and a model card, checked before it is handed over.
import { Option, type Command } from 'commander';
import { EXPORT_FORMATS, exportModel, exportSummary, useBackend, type ExportFormat } from '../../engine/index.js';
import { positiveInt, type Io } from '../options.js';
import { ttaFromFlags, type TtaFlags } from '../tta-options.js';

interface ExportFlags extends TtaFlags {
  format: ExportFormat;
  out: string;
  rawInput?: boolean;
  checkpoint?: string;
  ema?: boolean;
  data?: string;
  eval: boolean;
  batchSize: number;
  backend?: string;
  json?: boolean;
}

export function registerExport(program: Command, io: Io): void {
  program
    .command('export')
    .description('export a trained model as ONNX or TF.js, with its labels, preprocessing and a model card')
    .argument('<dir>', 'a run folder (its trained model/, or a checkpoint) or a model dir')
    .addOption(
      new Option('--format <format>', 'onnx, tfjs or savedmodel').choices(EXPORT_FORMATS).makeOptionMandatory(),
    )
    .requiredOption('--out <dir>', 'the folder to create (must not exist, or be empty)')
    .option('--raw-input', 'ONNX: the bare network on normalised NCHW input "input" (no preprocessing in the graph)')
    .option('--checkpoint <name>', "a run's checkpoint instead of its model/: best, last, an epoch number")
    .option('--ema', "a run's moving average of the weights (trained with ema) instead of its live weights")
    .option('--data <dir>', "evaluate on this image folder for the model card (default: a run's validation split)")
    .option('--no-eval', 'leave the evaluation out of the model card')
    .option('--batch-size <n>', 'images per forward pass when evaluating', positiveInt('--batch-size'), 32)
    .option('--backend <name>', 'TF.js backend (default: the fastest for inference)')
    .option('--json', 'print the result as one JSON object')
    .action(async (dir: string, flags: ExportFlags) => {
      const tta = ttaFromFlags(flags);
      const backend = await useBackend('inference', flags.backend);
      const tty = Boolean(process.stderr.isTTY) && !flags.json;
      let r;
      try {
        r = await exportModel({
          source: dir,
          format: flags.format,
          out: flags.out,
          rawInput: flags.rawInput,
          checkpoint: flags.checkpoint,
          ema: flags.ema,
          data: flags.data,
          evaluate: flags.eval,
          ...(tta ? { tta } : {}),
          batchSize: flags.batchSize,
          onProgress: tty ? (done, total) => io.stderr(`\revaluating ${done}/${total} images`) : undefined,
        });
      } finally {
        if (tty) io.stderr('\n');
      }
      for (const s of r.skipped) io.stderr(`anneal: skipped ${s.path}: ${s.reason}\n`);
      if (flags.json) {
        io.stdout(`${JSON.stringify({ ...r, backend: backend.name })}\n`);
        return;
      }
      io.stdout(exportSummary(r, flags.out));
    });
}

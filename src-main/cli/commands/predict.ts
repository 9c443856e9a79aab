// `anneal predict`: top-k classes for images, from a model dir or an exported TF.js or ONNX model.
// Given a folder (or --csv), every file under it is predicted and a file that cannot be read is
// listed, not fatal; --csv writes one row per file (engine/predict/folder.ts).
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import {
  classifyFolder,
  classifyImages,
  describeTta,
  findModel,
  openClassifier,
  predictionsCsv,
  ttaRun,
  useBackend,
  writeFileAtomic,
  type Classifier,
  type FolderPredictions,
  type TtaRun,
} from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { positiveInt, type Io } from '../options.js';
import { ttaFromFlags, type TtaFlags } from '../tta-options.js';

interface PredictFlags extends TtaFlags {
  model: string;
  top: number;
  json?: boolean;
  csv?: string;
  backend?: string;
}

const isFolder = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Every argument (files and folders) as one table; bad files listed, the rest predicted. */
async function predictMany(
  classifier: Classifier,
  inputs: string[],
  o: PredictFlags,
  io: Io,
  tta: TtaRun | undefined,
): Promise<void> {
  const all: FolderPredictions = { labels: [...classifier.meta.labels], rows: [], skipped: [] };
  const tty = Boolean(process.stderr.isTTY) && !o.json;
  for (const input of inputs) {
    const r = await classifyFolder(classifier, input, {
      topK: o.top,
      tta,
      onProgress: tty ? (done, total) => io.stderr(`\rpredicting ${input}: ${done}/${total} files`) : undefined,
    });
    if (tty) io.stderr('\n');
    all.rows.push(...r.rows);
    all.skipped.push(...r.skipped);
  }
  if (all.rows.length === 0) {
    const why = all.skipped[0] ? ` (${all.skipped[0].path}: ${all.skipped[0].reason})` : '';
    throw new UsageError(`no image in ${inputs.join(', ')} could be read${why}`);
  }
  if (o.csv) writeFileAtomic(o.csv, predictionsCsv(all, o.top));
  if (o.json) {
    io.stdout(`${JSON.stringify({ labels: all.labels, rows: all.rows, skipped: all.skipped, csv: o.csv ?? null })}\n`);
  } else if (!o.csv) {
    for (const r of all.rows) {
      io.stdout(`${r.image}\n`);
      for (const t of r.top) io.stdout(`  ${(t.prob * 100).toFixed(2).padStart(6)}%  ${t.label}\n`);
    }
  }
  if (all.skipped.length) {
    io.stderr(
      `anneal: skipped ${all.skipped.length} file${all.skipped.length === 1 ? '' : 's'} that could not be read:\n`,
    );
    for (const s of all.skipped) io.stderr(`  ${s.path}: ${s.reason}\n`);
  }
  if (o.csv) io.stderr(`anneal: wrote ${all.rows.length + all.skipped.length} rows to ${o.csv}\n`);
}

export function registerPredict(program: Command, io: Io): void {
  program
    .command('predict')
    .description('classify images with a model dir, or a TF.js or ONNX model from anneal export')
    .requiredOption(
      '--model <path>',
      'a run folder (its model/, else its best checkpoint), a model dir, a checkpoint, an export folder, a .onnx file',
    )
    .argument('<image...>', 'image files (JPEG, PNG, WebP, GIF, TIFF, …) or folders of them')
    .option('--top <k>', 'how many classes to list', positiveInt('--top'), 5)
    .option('--csv <file>', 'write one row per file: image, error, top-k with probabilities, every class probability')
    .option('--json', 'print [{image, logits, probs, top: [{label, prob}]}] ({labels, rows, skipped} for folders)')
    .option('--backend <name>', 'TF.js backend (default: the fastest for inference); ONNX runs in onnxruntime')
    .action(async (images: string[], o: PredictFlags) => {
      const ttaConfig = ttaFromFlags(o);
      // ONNX models run in onnxruntime: no TF.js backend to start.
      const { kind, source } = findModel(o.model);
      // A run's own training augmentation; an export or a model dir: the defaults.
      const tta = ttaConfig ? ttaRun(ttaConfig, source.run) : undefined;
      const backend = kind === 'onnx' ? null : await useBackend('inference', o.backend);
      const classifier = await openClassifier(o.model);
      try {
        if (o.csv || images.some(isFolder)) {
          await predictMany(classifier, images, o, io, tta);
        } else {
          const results = await classifyImages(classifier, images, { topK: o.top, tta });
          if (o.json) {
            io.stdout(`${JSON.stringify(results)}\n`);
            return;
          }
          for (const r of results) {
            io.stdout(`${r.image}\n`);
            for (const t of r.top) io.stdout(`  ${(t.prob * 100).toFixed(2).padStart(6)}%  ${t.label}\n`);
          }
        }
        const on = backend ? `${backend.name} (${backend.device})` : classifier.runtime;
        io.stderr(`anneal: ${classifier.meta.arch} (${classifier.kind}) on ${on}\n`);
        if (tta) io.stderr(`anneal: test-time augmentation: ${describeTta(tta)}\n`);
      } finally {
        await classifier.dispose();
      }
    });
}

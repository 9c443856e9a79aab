// `anneal explain`: Grad-CAM heatmaps (engine/explain) for image files, written as overlays on the
// image as the model sees it and as raw .npy heatmaps. Everything that can be wrong with the
// command line (a path that does not exist, an unknown --class, an --out that cannot be written,
// an export in place of a TF.js model) is refused before any model is loaded.
import type { Command } from 'commander';
import {
  checkOutDir,
  classIndexOf,
  explainImages,
  findModel,
  InputError,
  listImages,
  loadModelSource,
  useBackend,
  writeExplanations,
} from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { positiveInt, type Io } from '../options.js';

interface ExplainFlags {
  model: string;
  out: string;
  class?: string;
  batchSize: number;
  backend?: string;
  json?: boolean;
}

export function registerExplain(program: Command, io: Io): void {
  program
    .command('explain')
    .description('Grad-CAM: where in each image the model looked for its prediction (overlay PNGs and .npy heatmaps)')
    .requiredOption('--model <path>', 'a run folder (its model/, else its best checkpoint), a model dir, a checkpoint')
    .argument('<image...>', 'image files, or folders of them')
    .requiredOption('--out <dir>', 'the folder to write <name>.gradcam.png and <name>.heatmap.npy into')
    .option('--class <name>', "explain this class instead of each image's prediction")
    .option('--batch-size <n>', 'images per pass', positiveInt('--batch-size'), 8)
    .option('--backend <name>', 'TF.js backend (default: the fastest for inference)')
    .option('--json', 'print [{image, class, prob, predicted, overlay, heatmap}] and the skipped files as JSON')
    .action(async (images: string[], o: ExplainFlags) => {
      const { kind, source } = findModel(o.model);
      if (kind === 'onnx' || kind === 'tfjs' || !source.meta)
        throw new InputError(
          `${o.model} is an export: Grad-CAM needs the gradients of the TF.js model (give the run folder or model dir it came from)`,
          { field: 'model', kind: 'unsupported' },
        );
      if (o.class !== undefined) classIndexOf(source.meta, o.class);
      const { files, problems } = await listImages(images);
      checkOutDir(o.out);
      const backend = await useBackend('inference', o.backend);
      const { model, meta } = await loadModelSource(source);
      const tty = Boolean(process.stderr.isTTY) && !o.json;
      let r;
      try {
        r = await explainImages(model, meta, files, {
          className: o.class,
          batchSize: o.batchSize,
          onProgress: tty ? (done, total) => io.stderr(`\rexplaining ${done}/${total} images`) : undefined,
        });
      } finally {
        model.dispose();
        if (tty) io.stderr('\n');
      }
      const skipped = [...problems, ...r.skipped];
      if (r.explanations.length === 0) {
        const why = skipped[0] ? ` (${skipped[0].path}: ${skipped[0].reason})` : '';
        throw new UsageError(`no image in ${images.join(', ')} could be read${why}`);
      }
      const written = await writeExplanations(r.explanations, o.out);
      const rows = r.explanations.map((e, i) => ({
        image: e.path,
        class: e.label,
        prob: e.prob,
        predicted: e.predicted,
        overlay: written[2 * i]!,
        heatmap: written[2 * i + 1]!,
      }));
      if (skipped.length) {
        io.stderr(`anneal: skipped ${skipped.length} file${skipped.length === 1 ? '' : 's'} that could not be read:\n`);
        for (const s of skipped) io.stderr(`  ${s.path}: ${s.reason}\n`);
      }
      if (o.json) {
        io.stdout(`${JSON.stringify({ rows, skipped })}\n`);
        return;
      }
      for (const row of rows) {
        const also = row.class === row.predicted ? '' : ` (predicted ${row.predicted})`;
        io.stdout(`${row.image}: ${row.class} ${(row.prob * 100).toFixed(1)}%${also} → ${row.overlay}\n`);
      }
      io.stderr(
        `anneal: Grad-CAM of ${meta.arch}'s last convolutional stage on ${backend.name}; ${rows.length} overlay${rows.length === 1 ? '' : 's'} in ${o.out}\n`,
      );
    });
}

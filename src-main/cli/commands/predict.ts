// `anneal predict`: top-k classes for images.
import type { Command } from 'commander';
import { ImageError, ModelDirError, loadModelDir, predictImages, useBackend } from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { positiveInt, type Io } from '../options.js';

export function registerPredict(program: Command, io: Io): void {
  program
    .command('predict')
    .description('classify images with a model dir')
    .requiredOption('--model <dir>', 'an Anneal model dir (anneal import, anneal train)')
    .argument('<image...>', 'image files (JPEG, PNG, WebP, GIF, TIFF, …)')
    .option('--top <k>', 'how many classes to list', positiveInt('--top'), 5)
    .option('--json', 'print [{image, logits, probs, top: [{label, prob}]}]')
    .option('--backend <name>', 'TF.js backend (default: the fastest for inference)')
    .action(async (images: string[], o: { model: string; top: number; json?: boolean; backend?: string }) => {
      const backend = await useBackend('inference', o.backend);
      try {
        const { model, meta } = await loadModelDir(o.model);
        try {
          const results = await predictImages(model, meta, images, { topK: o.top });
          if (o.json) {
            io.stdout(`${JSON.stringify(results)}\n`);
            return;
          }
          for (const r of results) {
            io.stdout(`${r.image}\n`);
            for (const t of r.top) io.stdout(`  ${(t.prob * 100).toFixed(2).padStart(6)}%  ${t.label}\n`);
          }
          io.stderr(`anneal: ${meta.arch} on ${backend.name} (${backend.device})\n`);
        } finally {
          model.dispose();
        }
      } catch (e) {
        if (e instanceof ImageError || e instanceof ModelDirError) throw new UsageError(e.message);
        throw e;
      }
    });
}

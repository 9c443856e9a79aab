// `anneal predict`: top-k classes for images, from a model dir or an exported TF.js or ONNX model.
import type { Command } from 'commander';
import { classifyImages, findModel, openClassifier, useBackend } from '../../engine/index.js';
import { positiveInt, type Io } from '../options.js';

export function registerPredict(program: Command, io: Io): void {
  program
    .command('predict')
    .description('classify images with a model dir, or a TF.js or ONNX model from anneal export')
    .requiredOption(
      '--model <path>',
      'a run folder (its model/, else its best checkpoint), a model dir, a checkpoint, an export folder, a .onnx file',
    )
    .argument('<image...>', 'image files (JPEG, PNG, WebP, GIF, TIFF, …)')
    .option('--top <k>', 'how many classes to list', positiveInt('--top'), 5)
    .option('--json', 'print [{image, logits, probs, top: [{label, prob}]}]')
    .option('--backend <name>', 'TF.js backend (default: the fastest for inference); ONNX runs in onnxruntime')
    .action(async (images: string[], o: { model: string; top: number; json?: boolean; backend?: string }) => {
      // ONNX models run in onnxruntime: no TF.js backend to start.
      const { kind } = findModel(o.model);
      const backend = kind === 'onnx' ? null : await useBackend('inference', o.backend);
      const classifier = await openClassifier(o.model);
      try {
        const results = await classifyImages(classifier, images, { topK: o.top });
        if (o.json) {
          io.stdout(`${JSON.stringify(results)}\n`);
          return;
        }
        for (const r of results) {
          io.stdout(`${r.image}\n`);
          for (const t of r.top) io.stdout(`  ${(t.prob * 100).toFixed(2).padStart(6)}%  ${t.label}\n`);
        }
        const on = backend ? `${backend.name} (${backend.device})` : classifier.runtime;
        io.stderr(`anneal: ${classifier.meta.arch} (${classifier.kind}) on ${on}\n`);
      } finally {
        await classifier.dispose();
      }
    });
}

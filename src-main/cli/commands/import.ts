// `anneal import`: pretrained weights into a model dir.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cleanedNote, importWeights, useBackend, type Naming } from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { positiveInt, type Io } from '../options.js';

interface ImportCliOptions {
  arch: string;
  naming?: Naming;
  imageSize?: number;
  labels?: string;
  out: string;
  backend?: string;
}

/** Labels: a JSON array of strings, or a text file with one label per line. */
function readLabels(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read labels ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  if (text.trimStart().startsWith('[')) {
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed) || !parsed.every((l) => typeof l === 'string')) {
      throw new UsageError(`labels ${path}: expected a JSON array of strings`);
    }
    return parsed;
  }
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

export function registerImport(program: Command, io: Io): void {
  program
    .command('import')
    .description('import pretrained weights (safetensors, PyTorch .pth, TF.js) into an Anneal model dir')
    .argument('<file>', 'the weights file (or a TF.js model.json)')
    .requiredOption('--arch <id>', 'architecture from the catalog (anneal models list)')
    .addOption(
      program
        .createOption('--naming <naming>', 'whose tensor names the file uses')
        .choices(['torchvision', 'timm', 'keras']),
    )
    .option('--image-size <n>', "input size (default: the architecture's)", positiveInt('--image-size'))
    .option('--labels <file>', 'class names: JSON array or one per line')
    .requiredOption('--out <dir>', 'the model dir to create (must not exist, or be empty)')
    .option('--backend <name>', 'TF.js backend to build the model on')
    .action(async (file: string, o: ImportCliOptions) => {
      const labels = o.labels ? readLabels(o.labels) : undefined;
      await useBackend('inference', o.backend);
      const meta = await importWeights({
        file,
        arch: o.arch,
        naming: o.naming,
        imageSize: o.imageSize,
        labels,
        out: o.out,
        onCleaned: (paths) => io.stderr(`anneal:${cleanedNote(paths).trimEnd()}\n`),
      });
      io.stdout(`imported ${meta.arch} (${meta.classes} classes, ${meta.inputSize} px) from ${file} into ${o.out}\n`);
    });
}

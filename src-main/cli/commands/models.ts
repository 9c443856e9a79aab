// `anneal models list|add|pull`: the catalog and the local weights store.
import type { Command } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { addWeights, listModels, pullWeights, weightsDir } from '../../engine/index.js';
import type { Io } from '../options.js';

export function registerModels(program: Command, io: Io): void {
  const models = program.command('models').description('the architecture catalog and installed pretrained weights');

  models
    .command('list')
    .description('architectures, their published weights, and which are installed')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const rows = listModels();
      if (o.json) {
        io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const r of rows) {
        io.stdout(`${r.arch.padEnd(16)} ${r.title} (${r.inputSize} px)\n`);
        for (const w of r.weights)
          io.stdout(`  ${w.installed ? 'installed' : '         '}  ${r.arch}:${w.id}  ${w.description}\n`);
        for (const c of r.custom) io.stdout(`  installed  ${c} (custom)\n`);
      }
    });

  models
    .command('add')
    .description('register a weights file brought in by hand (the offline route); identified by its sha256')
    .argument('<file>', 'the weights file')
    .option('--arch <id>', 'architecture, for weights that are not in the catalog')
    .action(async (file: string, o: { arch?: string }) => {
      const e = await addWeights(file, o);
      io.stdout(`added ${e.arch}:${e.weights} (sha256 ${e.sha256}) as ${weightsDir()}/${e.file}\n`);
    });

  models
    .command('pull')
    .description('download published weights and check their hash (needs a network)')
    .argument('<ref>', 'arch (its first weights) or arch:weights, e.g. resnet50:torchvision-imagenet1k-v2')
    .action(async (ref: string) => {
      const bar = new SingleBar(
        { format: '{bar} {percentage}% | {value}/{total} MB', stream: process.stderr },
        Presets.shades_classic,
      );
      let started = false;
      try {
        const e = await pullWeights(ref, ({ received, total }) => {
          const mb = (n: number) => Math.round(n / 1e5) / 10;
          if (!started && total) {
            bar.start(mb(total), 0);
            started = true;
          }
          if (started) bar.update(mb(received));
        });
        if (started) bar.stop();
        io.stdout(`pulled ${e.arch}:${e.weights} (sha256 ${e.sha256}) to ${weightsDir()}/${e.file}\n`);
      } catch (err) {
        if (started) bar.stop();
        throw err;
      }
    });
}

// `anneal data shapes <dir>`: the demo's generated dataset (4 classes of drawn shapes) as a folder,
// to try a command on without data of one's own (docs/sweeps.md uses it).
import type { Command } from 'commander';
import { makeShapes, SHAPE_CLASSES } from '../../engine/index.js';
import { nonNegativeInt, positiveInt, type Io } from '../options.js';

export function registerDataShapes(data: Command, io: Io): void {
  data
    .command('shapes')
    .description(`write the demo's generated dataset: ${SHAPE_CLASSES.join(', ')} (one folder per class)`)
    .argument('<dir>', 'the folder to write')
    .option('--images <n>', 'images per class', positiveInt('--images'), 50)
    .option('--size <px>', 'image size', positiveInt('--size'), 32)
    .option('--seed <n>', 'seed of the drawings', nonNegativeInt('--seed'), 0)
    .action(async (dir: string, flags: { images: number; size: number; seed: number }) => {
      await makeShapes(dir, flags.images, flags.size, flags.seed);
      io.stdout(
        `${dir}: ${flags.images * SHAPE_CLASSES.length} images of ${flags.size} px, ${SHAPE_CLASSES.length} classes\n`,
      );
    });
}

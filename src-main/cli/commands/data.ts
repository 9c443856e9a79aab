// `anneal data …`: look at a dataset before training on it.
import type { Command } from 'commander';
import type { Io } from '../options.js';
import { registerDataInspect } from './data-inspect.js';
import { registerDataIssues } from './data-issues.js';
import { registerDataPreview } from './data-preview.js';
import { registerDataShapes } from './data-shapes.js';

export function registerData(program: Command, io: Io): void {
  const data = program
    .command('data')
    .description('inspect image datasets, preview augmentation, find and move mislabelled images');
  registerDataInspect(data, io);
  registerDataPreview(data, io);
  registerDataShapes(data, io);
  registerDataIssues(data, io);
}

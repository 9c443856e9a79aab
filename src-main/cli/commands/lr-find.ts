// `anneal lr-find`: the LR range test (schedules.md), with fastai's suggestions and a plot.
import type { Command } from 'commander';
import { renderLrFindPng, runLrFind } from '../../engine/index.js';
import { writeFileAtomic } from '../io.js';
import { positiveInt, positiveNumber, type Io } from '../options.js';
import { addRunOptions, mergeRunFlags, type RunFlags } from './train.js';

interface LrFindFlags extends RunFlags {
  startLr?: number;
  endLr?: number;
  numIt: number;
  plot?: string;
  all?: boolean;
  json?: boolean;
}

export function registerLrFind(program: Command, io: Io): void {
  addRunOptions(
    program
      .command('lr-find')
      .description('LR range test: one step per rate from 1e-7 to 10, smoothed loss, suggested rates (fastai lr_find)'),
  )
    .option('--start-lr <rate>', 'first rate (default 1e-7)', positiveNumber('--start-lr'))
    .option('--end-lr <rate>', 'last rate (default 10)', positiveNumber('--end-lr'))
    .option('--num-it <n>', 'steps', positiveInt('--num-it'), 100)
    .option('--all', 'train every layer (default: only the head of a pretrained model, as before fine_tune)')
    .option('--plot <file.png>', 'draw the loss against the rate, suggestions marked')
    .option('--json', 'print {"lrs", "losses", "suggestions": {"minimum", "steep", "valley"}}')
    .action(async (flags: LrFindFlags) => {
      const config = mergeRunFlags(flags);
      // On a terminal, the points as they are measured (the app draws them live the same way).
      const tty = Boolean(process.stderr.isTTY) && !flags.json;
      const r = await runLrFind(config, {
        startLr: flags.startLr,
        endLr: flags.endLr,
        numIt: flags.numIt,
        ...(flags.all ? { freezeBackbone: false } : {}),
        ...(tty
          ? {
              onStep: (p) =>
                io.stderr(
                  `\rmeasuring ${p.done}/${p.total} rates: lr ${p.lr.toExponential(2)} loss ${p.loss.toFixed(3)}   `,
                ),
            }
          : {}),
      });
      if (tty) io.stderr('\n');
      if (flags.plot) {
        writeFileAtomic(flags.plot, renderLrFindPng(r, `LR range test: ${String(config.model ?? 'resnet_micro')}`));
        io.stderr(`anneal: wrote ${flags.plot}\n`);
      }
      if (flags.json) {
        io.stdout(
          `${JSON.stringify({ lrs: r.lrs, losses: r.losses, suggestions: r.suggestions, diverged: r.diverged, engine: r.engine.runtime })}\n`,
        );
        return;
      }
      const s = r.suggestions;
      io.stdout(
        `${r.lrs.length} steps on ${r.backend.name}, computed by ${r.engine.runtime}${r.diverged ? ' (stopped: the loss diverged)' : ''}\n` +
          `suggested rates: valley ${s.valley.toExponential(2)} (fastai's default), steep ${s.steep.toExponential(2)}, minimum/10 ${s.minimum.toExponential(2)}\n`,
      );
    });
}

// `anneal schedule`: preview a schedule without training (schedules.md, last section).
import type { Command } from 'commander';
import { z } from 'zod';
import {
  checkRunConfigFields,
  ConfigError,
  parseScheduleFile,
  previewSchedule,
  previewToCsv,
  renderSchedulePng,
  sizeChanges,
  type SchedulePlan,
} from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { readJsonFile, writeFileAtomic } from '../io.js';
import { positiveInt, type Io } from '../options.js';

interface ScheduleOptions {
  config: string;
  epochs?: number;
  stepsPerEpoch: number;
  groups: number;
  batchSize?: number;
  metrics?: string;
  format: 'json' | 'csv';
  plot?: string;
  logScale?: boolean;
}

const Metrics = z.array(z.number().refine(Number.isFinite, 'must be finite numbers'));

export function registerSchedule(program: Command, io: Io): void {
  program
    .command('schedule')
    .description('print a learning-rate schedule step by step, without training')
    .requiredOption('--config <file>', 'JSON with "schedule" (and optional "lrScaling"), or a run config')
    .option('--epochs <n>', 'epochs to preview (default: the stages of the config)', positiveInt('--epochs'))
    .requiredOption('--steps-per-epoch <n>', 'optimizer steps in one epoch', positiveInt('--steps-per-epoch'))
    .option('--groups <n>', 'layer groups of the model (stem … head)', positiveInt('--groups'), 1)
    .option('--batch-size <n>', 'batch size, for lrScaling (overrides the config)', positiveInt('--batch-size'))
    .option('--metrics <file>', 'JSON array of per-epoch values of the monitored metric (plateau)')
    .addOption(formatOption(program))
    .option('--plot <file.png>', "also draw every group's rate and the momentum to a PNG")
    .option('--log-scale', 'plot the rate on a log scale')
    .action((opts: ScheduleOptions) => {
      const { preview, plan } = run(opts);
      if (opts.plot) {
        // Progressive resizing: where each stage's image size begins (none with one size).
        const markers = sizeChanges(plan, { stepsPerEpoch: opts.stepsPerEpoch, epochs: opts.epochs }).map((c) => ({
          step: c.step,
          label: c.size === null ? "run's size" : `${c.size} px`,
        }));
        writeFileAtomic(
          opts.plot,
          renderSchedulePng(preview, { logScale: Boolean(opts.logScale), title: `Schedule: ${opts.config}`, markers }),
        );
        io.stderr(`anneal: wrote ${opts.plot}\n`);
      }
      io.stdout(opts.format === 'csv' ? previewToCsv(preview) : `${JSON.stringify(preview)}\n`);
    });
}

function formatOption(program: Command) {
  return program.createOption('--format <format>', 'output format').choices(['json', 'csv']).default('json');
}

function run(opts: ScheduleOptions): { preview: ReturnType<typeof previewSchedule>; plan: SchedulePlan } {
  const plan = (() => {
    try {
      const json = readJsonFile(opts.config, 'config');
      const plan = parseScheduleFile(json);
      // The file may be a whole run config: a field no run config has (a typo) is refused.
      checkRunConfigFields(json as object);
      return plan;
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(`invalid config ${opts.config}: ${e.message}`);
      throw e;
    }
  })();
  let metrics: number[] | undefined;
  if (opts.metrics) {
    const parsed = Metrics.safeParse(readJsonFile(opts.metrics, 'metrics'));
    if (!parsed.success)
      throw new UsageError(`metrics ${opts.metrics}: expected a JSON array of numbers, one per epoch`);
    metrics = parsed.data;
  }
  try {
    const preview = previewSchedule(plan, {
      epochs: opts.epochs,
      stepsPerEpoch: opts.stepsPerEpoch,
      groups: opts.groups,
      batchSize: opts.batchSize,
      metrics,
    });
    return { preview, plan };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    if (e.field === 'epochs') throw new UsageError(`--epochs ${e.reason}`);
    throw new UsageError(`invalid config ${opts.config}: ${e.message}`);
  }
}

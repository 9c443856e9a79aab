// `anneal runs list|show|compare`: training runs from their folders, side by side.
import { existsSync, statSync } from 'node:fs';
import { Option, type Command } from 'commander';
import {
  COMPARE_METRICS,
  compareRuns,
  describeRun,
  listRuns,
  renderRunsPng,
  RUN_SORT_COLUMNS,
  sortRuns,
  type CompareMetric,
  type RunSortColumn,
} from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { formatComparison, formatRunDetail, formatRunList } from '../format/index.js';
import { writeFileAtomic } from '../io.js';
import type { Io } from '../options.js';

const json = (v: unknown) => `${JSON.stringify(v)}\n`;

export function registerRuns(program: Command, io: Io): void {
  const runs = program.command('runs').description('list, show and compare training runs');

  runs
    .command('list')
    .description('every run in the runs folder: status, epochs, time, final metrics')
    .option('--out <dir>', 'folder that holds the runs', 'runs')
    .addOption(new Option('--sort <column>', 'sort by this column').choices(RUN_SORT_COLUMNS).default('id'))
    .option('--desc', 'sort descending')
    .option('--json', 'print the run summaries as a JSON array')
    .action(async (flags: { out: string; sort: RunSortColumn; desc?: boolean; json?: boolean }) => {
      if (!existsSync(flags.out) || !statSync(flags.out).isDirectory()) {
        throw new UsageError(`no runs folder ${flags.out} (give --out <dir>, the folder anneal train wrote to)`);
      }
      const skipped: string[] = [];
      const found = listRuns(flags.out, { onSkip: (dir, why) => skipped.push(`${dir}: ${why}`) });
      for (const s of skipped) io.stderr(`anneal: skipped ${s}\n`);
      const sorted = sortRuns(found, flags.sort, Boolean(flags.desc));
      if (flags.json) io.stdout(json(sorted));
      else io.stdout(sorted.length ? formatRunList(sorted) : `no runs in ${flags.out}\n`);
    });

  runs
    .command('show')
    .description('one run: its config, every epoch, its events')
    .argument('<runDir>', 'the run folder (runs/<id>)')
    .option('--json', 'print {meta, summary, stages, epochs, events}')
    .action(async (runDir: string, flags: { json?: boolean }) => {
      const detail = describeRun(runDir);
      io.stdout(flags.json ? json(detail) : formatRunDetail(detail));
    });

  runs
    .command('compare')
    .description('runs side by side: a metric per global epoch, as a table and overlaid curves')
    .argument('<runDir...>', 'run folders')
    .addOption(new Option('--metric <name>', 'the metric').choices(COMPARE_METRICS).default('val_accuracy'))
    .option('--plot <file.png>', 'draw the metric per epoch, one curve per run')
    .option('--json', 'print {metric, runs: [{id, label, points: [{epoch, value}], best, final, …}]}')
    .action(async (runDirs: string[], flags: { metric: CompareMetric; plot?: string; json?: boolean }) => {
      const series = compareRuns(runDirs, flags.metric);
      if (flags.plot) {
        const title = `${flags.metric} per epoch, ${series.length} run${series.length === 1 ? '' : 's'}`;
        writeFileAtomic(flags.plot, renderRunsPng(series, { metric: flags.metric, title }));
        io.stderr(`anneal: wrote ${flags.plot}\n`);
      }
      io.stdout(flags.json ? json({ metric: flags.metric, runs: series }) : formatComparison(series, flags.metric));
    });
}

// `anneal data issues`: likely mislabelled images (confident learning over K-fold out-of-sample
// probabilities, engine/label-issues), and `anneal data move`: move a file to another class folder,
// logged so that `anneal data move --undo` takes it back. Unreadable files are listed, not fatal.
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  applyMove,
  findDataIssues,
  planMove,
  readIssuesReport,
  readMoveLog,
  undoMove,
  useBackend,
  type LabelIssuesReport,
  type MoveRecord,
} from '../../engine/index.js';
import { UsageError } from '../errors.js';
import { nonNegativeInt, positiveInt, type Io } from '../options.js';
import { progressLine } from './data-inspect.js';

interface IssuesFlags {
  data: string;
  model?: string;
  folds?: number;
  seed?: number;
  filterBy?: string;
  top?: number;
  json?: boolean;
  backend?: string;
}

/** `p` relative to the dataset folder where it is inside it. */
const shown = (root: string, p: string): string => {
  const rel = relative(root, p);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
};

export function formatIssues(r: LabelIssuesReport, top?: number): string {
  // A CSV list's paths are shown from its folder, as `anneal data inspect` shows them.
  const base = r.layout === 'csv' ? dirname(r.root) : r.root;
  const lines = [
    `${r.root}: ${r.total} images in ${r.classes.length} classes; backbone ${r.backbone}, ${r.inputSize} px; ` +
      `${r.settings.folds} folds, seed ${r.settings.seed}`,
    `out-of-sample predictions agree with the given labels on ${(r.agreement * 100).toFixed(1)}% of images`,
  ];
  if (!r.pretrained)
    lines.push(
      'note: the backbone has random weights, so its features say little; give a pretrained --model (resnet_micro, or a model dir from `anneal import`)',
    );
  lines.push(
    `likely mislabelled: ${r.issues.length} (${r.settings.filterBy}, lowest self-confidence first)`,
    ...r.classes.filter((c) => c.issues).map((c) => `  ${c.name}: ${c.issues} of its ${c.images} images`),
  );
  const list = top === undefined ? r.issues : r.issues.slice(0, top);
  if (list.length) {
    const given = Math.max(5, ...list.map((i) => i.given.length));
    const suggested = Math.max(9, ...list.map((i) => i.suggested.length));
    lines.push('', `${'p(given)'.padStart(8)}  ${'given'.padEnd(given)}    ${'suggested'.padEnd(suggested)}  file`);
    for (const i of list) {
      lines.push(
        `${i.score.toFixed(3).padStart(8)}  ${i.given.padEnd(given)} →  ${i.suggested.padEnd(suggested)}  ${shown(base, i.path)}`,
      );
    }
    if (list.length < r.issues.length) lines.push(`… and ${r.issues.length - list.length} more (--top, --json)`);
    if (r.layout === 'csv')
      lines.push('', `an image list: correct the labels in ${r.root} (moves are for class folders)`);
    else
      lines.push(
        '',
        `move a file to its suggested class: anneal data move --data ${r.root} FILE…   (undo: anneal data move --data ${r.root} --undo)`,
      );
  }
  if (r.skipped.length) {
    lines.push('', `skipped ${r.skipped.length} file${r.skipped.length === 1 ? '' : 's'} that could not be read:`);
    for (const s of r.skipped) lines.push(`  ${shown(base, s.path)}: ${s.reason}`);
  }
  return `${lines.join('\n')}\n`;
}

const describeMove = (m: MoveRecord): string =>
  `${m.op === 'undo' ? 'undid' : 'moved'} ${m.from} → ${m.to} (${m.fromClass} → ${m.toClass}; id ${m.id})`;

export function registerDataIssues(data: Command, io: Io): void {
  data
    .command('issues')
    .description('find likely mislabelled images: K-fold out-of-sample predictions and confident learning (cleanlab)')
    .requiredOption('--data <dir>', 'an image folder (one folder per class), train/ + val/ folders, or a CSV list')
    .option(
      '--model <m>',
      'the backbone: a pretrained model name, a model dir, a run or a checkpoint (default resnet_micro)',
    )
    .option('--folds <k>', 'folds of the cross-validation, 2 to 20 (default 5)', positiveInt('--folds'))
    .option('--seed <n>', 'seeds the stratified folds (default 0)', nonNegativeInt('--seed'))
    .option('--filter-by <f>', "cleanlab's filter_by: prune_by_noise_rate (default), prune_by_class, both")
    .option('--top <n>', 'list only the first n (the JSON has all)', positiveInt('--top'))
    .option('--json', 'print the report as JSON')
    .option('--backend <name>', 'TF.js backend for the backbone (default: the fastest here)')
    .action(async (o: IssuesFlags) => {
      await useBackend('inference', o.backend);
      const progress = !o.json && process.stderr.isTTY ? progressLine(io, 'reading images') : undefined;
      let report: LabelIssuesReport;
      try {
        report = await findDataIssues(
          o.data,
          { model: o.model, folds: o.folds, seed: o.seed, filterBy: o.filterBy },
          {
            onProgress: (done, total, phase) =>
              progress?.update(done, total, phase === 'images' ? 'reading images' : 'training folds'),
          },
        );
      } finally {
        progress?.done();
      }
      io.stdout(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatIssues(report, o.top));
    });

  data
    .command('move')
    .description('move images to another class folder (logged in <data>/.anneal/label-moves.jsonl; --undo takes back)')
    .requiredOption('--data <dir>', 'the image folder (one folder per class, or train/ + val/ folders)')
    .argument('[file...]', 'images of the dataset to move')
    .option(
      '--to <class>',
      "the class folder to move them into (default: each file's suggested class from the last `anneal data issues`)",
    )
    .option('--undo [id]', 'take back the newest move not yet undone, or the move with this id')
    .option('--list', 'list the moves that can be undone')
    .option('--json', 'print what was done as JSON')
    .action(
      (files: string[], o: { data: string; to?: string; undo?: string | boolean; list?: boolean; json?: boolean }) => {
        const out = (records: MoveRecord[]) =>
          io.stdout(o.json ? `${JSON.stringify(records)}\n` : records.map((m) => `${describeMove(m)}\n`).join(''));
        if ([files.length > 0, o.undo !== undefined, o.list].filter(Boolean).length !== 1)
          throw new UsageError('give the files to move, or --undo, or --list (one of them)');
        if (o.list) return out(readMoveLog(o.data).undoable);
        if (o.undo !== undefined) return out([undoMove(o.data, typeof o.undo === 'string' ? o.undo : undefined)]);
        const report = o.to === undefined ? readIssuesReport(o.data) : null;
        // A file is found where it is given, else inside the dataset folder (as the table prints it).
        const locate = (f: string) => (existsSync(f) ? resolve(f) : resolve(join(o.data, f)));
        const targets = files.map((given) => {
          const file = locate(given);
          if (o.to !== undefined) return { file, to: o.to };
          if (!report)
            throw new UsageError(`no report of \`anneal data issues\` in ${o.data}: run it first, or give --to CLASS`);
          const issue = report.issues.find((i) => i.path === file);
          if (!issue)
            throw new UsageError(
              `${given} is not among the likely mislabelled images of the last report: give --to CLASS`,
            );
          return { file: issue.path, to: issue.suggested };
        });
        if (new Set(targets.map((t) => t.file)).size < targets.length)
          throw new UsageError('a file is given twice: each file moves once');
        // Every file is checked before any moves: a bad one in the list leaves the folder as it was.
        const plans = targets.map((t) => planMove(o.data, t.file, t.to));
        out(plans.map(applyMove));
      },
    );
}

// `anneal data inspect`: decode every image of a dataset once and say what training would meet:
// classes and counts, sizes, formats, imbalance, exact duplicates, and every file it cannot use.
// Problems are listed, not fatal (exit 0); only a dataset that cannot be read at all exits 2.
import { dirname, isAbsolute, relative } from 'node:path';
import type { Command } from 'commander';
import { inspectDataset, parseInspectOptions, type InspectReport } from '../../engine/index.js';
import { nearDuplicatesFlag } from './train.js';
import type { Io } from '../options.js';

/** Above this largest/smallest class ratio, say what to do about it. */
const IMBALANCE_WARNING = 3;

const LAYOUTS: Record<InspectReport['layout'], string> = {
  'image-folder': 'image folder',
  'split-folders': 'train/ and val/ folders',
  csv: 'image list',
};

export function registerDataInspect(data: Command, io: Io): void {
  data
    .command('inspect')
    .description('decode every image of a dataset: classes, counts, sizes, imbalance, duplicates and problems')
    .argument('<dir|csv>', 'an ImageFolder (one folder per class), train/ + val/ folders, or a CSV/TSV list')
    .option('--json', 'print the report as JSON')
    .option('--alpha <mode>', 'transparent pixels: white (default), black, #rrggbb, or drop (as PIL/torchvision)')
    .option(
      '--near-duplicates <bits|off>',
      'near-duplicates: pHash within this many of 64 bits (default 6, 0 to 16); off: byte-identical only',
      nearDuplicatesFlag,
    )
    .action(async (source: string, o: { json?: boolean; alpha?: string; nearDuplicates?: number | false | string }) => {
      const progress = !o.json && process.stderr.isTTY ? progressLine(io) : undefined;
      let report: InspectReport;
      try {
        const options = parseInspectOptions({ alpha: o.alpha, nearDuplicates: o.nearDuplicates });
        report = await inspectDataset(source, { ...options, onProgress: progress?.update });
      } finally {
        progress?.done();
      }
      io.stdout(o.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
    });
}

/** "inspecting 1200/50000" on one terminal line, redrawn at most 10 times a second. */
export function progressLine(
  io: Io,
  what = 'inspecting',
): { update: (done: number, total: number, phase?: string) => void; done: () => void } {
  let last = 0;
  let shown = false;
  return {
    update: (done, total, phase) => {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      shown = true;
      io.stderr(`\r\x1b[K${phase ?? what} ${done}/${total}`);
    },
    done: () => {
      if (shown) io.stderr('\r\x1b[K');
    },
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The human-readable report: a table of classes, then sizes, formats, imbalance, duplicates, problems. */
export function formatReport(r: InspectReport): string {
  const base = r.layout === 'csv' ? dirname(r.root) : r.root;
  const show = (p: string): string => {
    const rel = relative(base, p);
    return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? p : rel;
  };
  const lines: string[] = [];
  lines.push(
    `${r.root}: ${LAYOUTS[r.layout]}, ${plural(r.classes.length, 'class', 'classes')}, ${plural(r.total, 'image')}`,
  );
  if (r.split) lines.push(`split by folders: ${r.split.train} training, ${r.split.val} validation`);
  lines.push('');

  const nameWidth = Math.max(5, ...r.classes.map((c) => c.name.length));
  const countWidth = Math.max(6, String(r.total).length);
  lines.push(`${'class'.padEnd(nameWidth)}  ${'images'.padStart(countWidth)}`);
  for (const c of r.classes) lines.push(`${c.name.padEnd(nameWidth)}  ${String(c.count).padStart(countWidth)}`);
  lines.push(`${'total'.padEnd(nameWidth)}  ${String(r.total).padStart(countWidth)}`);

  if (r.imageSize) {
    const { width: w, height: h } = r.imageSize;
    const row = (label: string, s: typeof w) =>
      `${label.padEnd(6)}  ${[s.min, s.median, s.mean, s.max].map((v) => String(v).padStart(8)).join('')}`;
    lines.push('', `${'pixels'.padEnd(6)}  ${['min', 'median', 'mean', 'max'].map((v) => v.padStart(8)).join('')}`);
    lines.push(row('width', w), row('height', h));
  }
  const formats = Object.entries(r.formats).map(([f, n]) => `${f} ${n}`);
  if (formats.length) lines.push('', `formats: ${formats.join(', ')}`);

  if (r.imbalance && r.classes.length > 1) {
    const { ratio, largest, smallest } = r.imbalance;
    const count = (name: string) => r.classes.find((c) => c.name === name)?.count ?? 0;
    const line = `imbalance: ${ratio}× (largest ${largest}: ${count(largest)}, smallest ${smallest}: ${count(smallest)})`;
    lines.push(
      '',
      ratio > IMBALANCE_WARNING
        ? `${line}. Over ${IMBALANCE_WARNING}×: consider class weights or a balanced sampler.`
        : line,
    );
  }

  const t = r.transparency;
  if (t.images) {
    lines.push(
      '',
      `transparency: ${plural(t.images, 'image')} with transparent pixels, composited with alpha "${t.alpha}"; ` +
        `${t.nearlyUniform} of them nearly uniform (no content left)`,
    );
    for (const p of t.uniformExamples) lines.push(`  ${show(p)}`);
    if (t.nearlyUniform > t.uniformExamples.length)
      lines.push(`  … and ${t.nearlyUniform - t.uniformExamples.length} more`);
    if (t.nearlyUniform) lines.push('  (try another alpha option: white, black, #rrggbb or drop)');
  }

  if (r.duplicates.length) {
    const files = r.duplicates.reduce((n, d) => n + d.paths.length, 0);
    const exact = r.duplicates.filter((d) => d.kind === 'exact').length;
    const near =
      r.nearDuplicates === false ? 'near-duplicates not checked' : `near: pHash within ${r.nearDuplicates} bits`;
    lines.push(
      '',
      `duplicates: ${plural(r.duplicates.length, 'group')} (${files} files): ${exact} byte-identical, ` +
        `${r.duplicates.length - exact} near-duplicate (${near})`,
    );
    if (r.labelConflicts) {
      lines.push(`label conflicts: ${plural(r.labelConflicts, 'group')} in two or more classes (listed first)`);
    }
    for (const d of r.duplicates) {
      const what = d.kind === 'exact' ? `byte-identical, sha256 ${d.sha256!.slice(0, 12)}` : 'near-duplicate';
      lines.push(`  ${d.conflict ? 'LABEL CONFLICT, ' : ''}${what}`);
      d.paths.forEach((p, i) => lines.push(`    ${show(p)}  (${d.classes[i]})`));
    }
  }

  lines.push('', r.problems.length ? `problems: ${r.problems.length}` : 'problems: none');
  const paths = r.problems.map((p) => show(p.path));
  const pathWidth = Math.min(60, Math.max(0, ...paths.map((p) => p.length)));
  r.problems.forEach((p, i) => lines.push(`  ${paths[i]!.padEnd(pathWidth)}  ${p.reason}`));
  return `${lines.join('\n')}\n`;
}

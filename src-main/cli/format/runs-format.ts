// Runs as text: the list, one run in detail, a metric compared per epoch. Epochs are the global
// indices of metrics.jsonl and checkpoints/epoch-NNNN (from 0), so that what is printed names
// the checkpoint to use.
import type { CompareMetric, RunDetail, RunEvent, RunSeries, RunSummary } from '../../engine/index.js';
import { bestRunIds, cutLabel, higherIsBetter } from '../../engine/index.js';
import { formatDuration, formatMetric, formatTable } from './table.js';

const MARK = '*';

export function formatRunList(runs: readonly RunSummary[]): string {
  const best = bestRunIds(runs);
  const rows = runs.map((r) => [
    r.id,
    r.arch,
    r.status,
    // The last of them cut short by a stop: "3 (partial)", and the numbers after it are that epoch's.
    r.final?.partial ? `${r.epochs} (partial)` : String(r.epochs),
    formatDuration(r.seconds),
    formatMetric(r.final?.loss),
    formatMetric(r.final?.accuracy),
    formatMetric(r.final?.val_loss),
    `${formatMetric(r.final?.val_accuracy)}${best.has(r.id) ? MARK : ' '}`,
    r.best ? `${formatMetric(r.best.val_accuracy)} @${r.best.epoch}` : '-',
  ]);
  const columns = ['id', 'arch', 'status', 'epochs', 'time', 'loss', 'acc', 'val_loss', 'val_acc', 'best_val_acc'].map(
    (header, j) => ({ header, align: j < 3 ? ('left' as const) : ('right' as const) }),
  );
  // The mark column keeps the numbers aligned: every val_acc cell ends in a mark or a space.
  columns[8]!.header = 'val_acc ';
  const note = best.size
    ? `\n${MARK} highest final val_acc; best_val_acc: at the best checkpoint (lowest val_loss) @ its epoch\n`
    : '';
  const partial = runs.some((r) => r.final?.partial)
    ? `(partial): a stop cut the last epoch short; its numbers cover part of its data (anneal runs show says how far)\n`
    : '';
  return formatTable(columns, rows) + note + partial;
}

/** "type key=value …" with long lists shown as counts, so that one event stays one line. */
export function formatEventDetails(e: RunEvent): string {
  const parts = Object.entries(e)
    .filter(([k]) => k !== 'time' && k !== 'type')
    .map(([k, v]) => {
      const text = Array.isArray(v) && v.length > 3 ? `[${v.length} items]` : JSON.stringify(v);
      return `${k}=${text}`;
    });
  const line = parts.join(' ');
  return line.length > 110 ? `${line.slice(0, 109)}…` : line;
}

function configSummary(d: RunDetail): string[] {
  const { meta, summary } = d;
  const c = meta.config;
  const str = (v: unknown, fallback: string) =>
    v === undefined ? fallback : typeof v === 'string' ? v : JSON.stringify(v);
  const optimizer = (c.optimizer as { type?: string } | undefined)?.type ?? 'adamw';
  const stages = d.stages.length ? d.stages.join(', ') : '-';
  const lines: [string, string][] = [
    ['run', `${meta.id} (${summary.status})`],
    ['folder', summary.dir],
    ['created', meta.created],
    ['arch', `${meta.arch} (model ${str(c.model, 'resnet_micro')})`],
    [
      'data',
      `${meta.dataset.root}: ${meta.dataset.classes.length} classes, ${meta.dataset.train} train / ${meta.dataset.val} val images`,
    ],
    ['classes', meta.dataset.classes.join(', ')],
    [
      'training',
      `image size ${str(c.imageSize, d.stages.some((s) => s.endsWith(' px)')) ? 'per stage' : 'the model’s')}, batch ${str(c.batchSize, 'auto')}, seed ${meta.seed}, optimizer ${optimizer}`,
    ],
    ['stages', stages],
    ['backend', `${meta.backend.name}${meta.backend.device ? ` (${meta.backend.device})` : ''}`],
    ['time', `${formatDuration(summary.seconds)} over ${summary.epochs} epochs`],
    ...(summary.final?.partial
      ? [
          ['final', `epoch ${summary.final.epoch}, ${cutLabel(summary.final.partial)}: a stop cut it short`] as [
            string,
            string,
          ],
        ]
      : []),
    [
      'best',
      summary.best
        ? `epoch ${summary.best.epoch}: val_loss ${formatMetric(summary.best.val_loss)}, val_acc ${formatMetric(summary.best.val_accuracy)}`
        : '-',
    ],
    ['config', JSON.stringify(c)],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`);
}

export function formatRunDetail(d: RunDetail): string {
  const bestEpoch = d.summary.best?.epoch;
  const rows = d.epochs.map((e) => [
    `${e.epoch}${e.partial ? ` (partial, step ${e.epochStep ?? '?'}/${e.stepsPerEpoch ?? '?'})` : ''}${e.epoch === bestEpoch ? MARK : ' '}`,
    d.stages[e.stage] ?? `stage ${e.stage}`,
    formatMetric(e.loss),
    formatMetric(e.accuracy),
    formatMetric(e.val_loss),
    formatMetric(e.val_accuracy),
    e.lr.length ? Math.max(...e.lr).toExponential(2) : '-',
    formatDuration(e.seconds),
  ]);
  const columns = ['epoch', 'stage', 'loss', 'acc', 'val_loss', 'val_acc', 'lr (max)', 'time'].map((header, j) => ({
    header,
    align: j === 1 ? ('left' as const) : ('right' as const),
  }));
  const events = d.events.map((e) => [e.time.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), e.type, formatEventDetails(e)]);
  return [
    configSummary(d).join(''),
    d.epochs.length ? `epochs (${MARK} best checkpoint)\n${formatTable(columns, rows)}` : 'no epoch finished yet\n',
    events.length
      ? `events\n${formatTable([{ header: 'time' }, { header: 'type', align: 'left' }, { header: 'details', align: 'left' }], events)}`
      : 'no events\n',
  ].join('\n');
}

export function formatComparison(series: readonly RunSeries[], metric: CompareMetric): string {
  const summaryRows = series.map((s) => [
    s.label,
    s.arch,
    s.status,
    String(s.points.length),
    formatDuration(s.seconds),
    formatMetric(s.final),
    s.best ? `${formatMetric(s.best.value)} @${s.best.epoch}` : '-',
  ]);
  const summary = formatTable(
    ['run', 'arch', 'status', 'epochs', 'time', `final ${metric}`, `best ${metric}`].map((header, j) => ({
      header,
      align: j < 3 ? ('left' as const) : ('right' as const),
    })),
    summaryRows,
  );
  const last = Math.max(-1, ...series.flatMap((s) => s.points.map((p) => p.epoch)));
  const rows: string[][] = [];
  for (let epoch = 0; epoch <= last; epoch++) {
    rows.push([
      String(epoch),
      ...series.map((s) => {
        const p = s.points.find((q) => q.epoch === epoch);
        if (!p) return '  ';
        return `${formatMetric(p.value)}${s.best?.epoch === epoch ? MARK : ' '}`;
      }),
    ]);
  }
  const perEpoch = formatTable(
    [{ header: 'epoch', align: 'right' }, ...series.map((s) => ({ header: `${s.label} ` }))],
    rows,
  );
  const better = higherIsBetter(metric) ? 'highest' : 'lowest';
  return `${summary}\n${metric} per epoch (${MARK} each run's ${better})\n${perEpoch}`;
}

// The model card (Mitchell et al. 2019, "Model Cards for Model Reporting"): one self-contained
// HTML file beside the exported model that says what it is, how to feed it, what it was trained
// on and with which settings, and how well it does, charts included as inline PNGs, so that it can
// be mailed, archived or opened offline as one file.
import type { EvalResult } from '../evaluate/index.js';
import { renderConfusionPng, type RunDetail } from '../evaluate/index.js';
import { describeTta } from '../tta/describe.js';
import type { ModelMeta } from '../model-dir/index.js';
import { renderRunsPng } from '../plot/index.js';
import { preprocessingDocument, type ExportInfo } from './metadata.js';
import type { Verification } from './verify.js';
import { describeRecipes } from '../train/recipes.js';

export const MODEL_CARD_FILE = 'model-card.html';

export interface CardInput {
  info: ExportInfo;
  /** "ONNX (opset 13)", "TF.js layers model". */
  formatTitle: string;
  files: string[];
  source: { kind: 'run' | 'model'; path: string; weights: string; meta: ModelMeta };
  run: RunDetail | null;
  /** Images per class in the run's split, in label order. */
  split: { train: number[]; val: number[] } | null;
  evaluation: { result: EvalResult; on: string } | { missing: string };
  verification: Verification;
  version: string;
}

/** The export's files for people: TF.js weight shards as one entry ("23 weight shards (group1-shard*of23.bin)"). */
export function describeFiles(files: readonly string[]): string {
  const shards = files.filter((f) => f.endsWith('.bin'));
  const entry =
    shards.length === 1 ? shards[0]! : `${shards.length} weight shards (group1-shard*of${shards.length}.bin)`;
  return files.flatMap((f) => (!f.endsWith('.bin') ? [f] : f === shards[0] ? [entry] : [])).join(', ');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const num = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

function table(headers: readonly string[], rows: readonly (readonly (string | number)[])[], numeric = true): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows
    .map(
      (r) => `<tr>${r.map((c, j) => `<td${numeric && j > 0 ? ' class="n"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function facts(rows: readonly [string, string][]): string {
  return `<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

const png = (bytes: Buffer, alt: string) =>
  `<img alt="${escapeHtml(alt)}" src="data:image/png;base64,${bytes.toString('base64')}">`;

function usage(c: CardInput): string {
  const doc = preprocessingDocument(c.info) as { steps: string[]; input: Record<string, unknown> };
  const input = doc.input as { name: string; layout: string; shape: (string | number)[]; values: string };
  const outputs =
    c.info.modelFormat === 'onnx'
      ? `"logits" and "probs" (softmax), both float32 [N, ${c.info.labels.length}], classes in the order of labels.json`
      : `logits, float32 [N, ${c.info.labels.length}] (apply softmax for probabilities), classes in the order of labels.json`;
  return `<h2>How to use it</h2>
${facts([
  ['format', c.formatTitle],
  ['files', describeFiles(c.files)],
  ['input', `"${input.name}": float32 [${input.shape.join(', ')}] (${input.layout}), ${input.values}`],
  ['output', outputs],
])}
<p>Preprocessing (also in preprocessing.json), exactly what Anneal does when it predicts:</p>
<ol>${doc.steps.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`;
}

function classes(c: CardInput): string {
  const labels = c.info.labels;
  if (c.split) {
    const rows = labels.map((l, i) => [l, c.split!.train[i] ?? 0, c.split!.val[i] ?? 0]);
    return `<h2>Classes (${labels.length})</h2>\n${table(['class', 'training images', 'validation images'], rows)}`;
  }
  const shown = labels.length > 60 ? [...labels.slice(0, 60), `… ${labels.length - 60} more in labels.json`] : labels;
  return `<h2>Classes (${labels.length})</h2>\n<p>${shown.map(escapeHtml).join(', ')}</p>`;
}

function training(c: CardInput): string {
  const m = c.source.meta;
  const d = c.run;
  if (!d) {
    const src = m.source;
    return `<h2>Origin</h2>
${facts([
  ['model dir', c.source.path],
  ['architecture', m.arch],
  ['weights', src ? `${src.file} (${src.format}, ${src.naming} names), sha256 ${src.sha256}` : 'not recorded'],
  ['created', m.created],
])}
<p>Not trained by an Anneal run here, so there is no training history to report.</p>`;
  }
  const s = d.summary;
  const ds = d.meta.dataset;
  return `<h2>Training</h2>
${facts([
  ['run', `${d.meta.id} (${s.status})`],
  ['created', d.meta.created],
  ['architecture', d.meta.arch],
  ['exported weights', c.source.weights],
  ['stages', d.stages.join(', ') || '–'],
  ['recipes', describeRecipes(d.meta.config)],
  ['epochs', `${s.epochs}, ${Math.round(s.seconds)} s of training`],
  ['backend', `${d.meta.backend.name}${d.meta.backend.device ? ` (${d.meta.backend.device})` : ''}`],
  ['seed', String(d.meta.seed)],
  [
    'versions',
    Object.entries(d.meta.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  ],
])}
<h3>Data</h3>
${facts([
  ['dataset', ds.root],
  ['images', `${ds.train} training, ${ds.val} validation`],
  ['classes', String(ds.classes.length)],
  ['manifest sha256', ds.manifestHash],
])}
<h3>Configuration (run.json)</h3>
<pre>${escapeHtml(JSON.stringify(d.meta.config, null, 2))}</pre>`;
}

function metrics(c: CardInput): string {
  const d = c.run;
  if (!d || !d.epochs.length) return '';
  const last = d.epochs.at(-1)!;
  const best = d.summary.best;
  const rows: (string | number)[][] = [
    ['last epoch', last.epoch, num(last.loss), num(last.accuracy), num(last.val_loss), num(last.val_accuracy)],
  ];
  if (best) {
    const e = d.epochs.find((x) => x.epoch === best.epoch);
    if (e) rows.push(['best checkpoint', e.epoch, num(e.loss), num(e.accuracy), num(e.val_loss), num(e.val_accuracy)]);
  }
  const epochs = d.epochs;
  const series = (pick: (e: (typeof epochs)[number]) => number | null) =>
    epochs.map((e) => ({ epoch: e.epoch, value: pick(e) }));
  const loss = renderRunsPng(
    [
      { label: 'training', points: series((e) => e.loss) },
      { label: 'validation', points: series((e) => e.val_loss) },
    ],
    { metric: 'loss', title: 'Loss per epoch', width: 760, height: 400 },
  );
  const acc = renderRunsPng(
    [
      { label: 'training', points: series((e) => e.accuracy) },
      { label: 'validation', points: series((e) => e.val_accuracy) },
    ],
    { metric: 'accuracy', title: 'Accuracy per epoch', width: 760, height: 400 },
  );
  return `<h2>Final metrics</h2>
${table(['', 'epoch', 'loss', 'accuracy', 'val_loss', 'val_accuracy'], rows)}
<h3>Curves</h3>
<div class="charts">${png(loss, 'loss per epoch')}${png(acc, 'accuracy per epoch')}</div>`;
}

function evaluation(c: CardInput): string {
  if ('missing' in c.evaluation) return `<h2>Evaluation</h2>\n<p>${escapeHtml(c.evaluation.missing)}</p>`;
  const { result: r, on } = c.evaluation;
  const perClass = r.perClass.map((p) => [p.label, num(p.precision), num(p.recall), num(p.f1), p.support]);
  perClass.push(['macro avg', num(r.macro.precision), num(r.macro.recall), num(r.macro.f1), r.count]);
  perClass.push(['weighted avg', num(r.weighted.precision), num(r.weighted.recall), num(r.weighted.f1), r.count]);
  const confusion = r.confusion.map((row, i) => [r.classes[i]!, ...row]);
  const heatmap = renderConfusionPng(r, {
    title: `Confusion matrix: accuracy ${r.accuracy.toFixed(3)} on ${r.count} images`,
    subtitle: on,
  });
  const skipped = r.skipped.length ? `<p>${r.skipped.length} image(s) could not be read and are left out.</p>` : '';
  const tta = r.tta
    ? `<p>With test-time augmentation: ${escapeHtml(describeTta(r.tta))}. Without it: accuracy ${num(r.tta.plain.accuracy)}, loss ${num(r.tta.plain.loss)}.</p>`
    : '';
  return `<h2>Evaluation</h2>
<p>On ${escapeHtml(on)}: accuracy <b>${num(r.accuracy)}</b>, top-${r.topK.k} accuracy ${num(r.topK.accuracy)}, loss ${num(r.loss)} (${r.count} images).</p>${tta}${skipped}
${table(['class', 'precision', 'recall', 'f1-score', 'support'], perClass)}
<h3>Confusion matrix (rows: true class, columns: predicted)</h3>
${table(['true \\ predicted', ...r.classes], confusion)}
${png(heatmap, 'confusion matrix heatmap')}`;
}

function verification(c: CardInput): string {
  const v = c.verification;
  return `<h2>Export check</h2>
<p>The exported files, run in ${escapeHtml(v.runtime)}, against the model in ${escapeHtml(v.reference)} on ${v.images}
fixed synthetic test images: logits relative L2 ${v.logitsRelL2.toExponential(2)}, probabilities
${v.probsRelL2.toExponential(2)}, largest logit difference ${v.maxAbsLogitDiff.toExponential(2)}.</p>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#202020;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ccc}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #d0d0d0;padding:.2rem .6rem}td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f5f5f5;padding:.8rem;overflow:auto;font-size:.85rem}img{max-width:100%}.charts img{display:block;margin:.5rem 0}`;

export function modelCardHtml(c: CardInput): string {
  const title = `${c.info.arch}: ${c.info.labels.length} classes`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Model card: ${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Model card: ${escapeHtml(title)}</h1>
<p>Exported by Anneal ${escapeHtml(c.version)} on ${escapeHtml(c.info.created)} as ${escapeHtml(c.formatTitle)}, from
${escapeHtml(c.source.kind === 'run' ? `run ${c.run?.meta.id ?? c.source.path}` : `model dir ${c.source.path}`)}
(${escapeHtml(c.source.weights)}).</p>
${usage(c)}
${classes(c)}
${training(c)}
${metrics(c)}
${evaluation(c)}
${verification(c)}
</body>
</html>
`;
}

// An evaluation as text: scikit-learn's classification_report layout (so that it reads the way
// people know it), then the confusion matrix and the highest-loss images.
import type { EvalResult, Scores } from '../../engine/index.js';
import { formatMetric, formatTable } from './table.js';

/** classification_report's text, with `digits` decimals (sklearn's default is 2; 4 tells more apart). */
export function formatClassificationReport(s: Scores, digits = 4): string {
  const names = [...s.perClass.map((r) => r.label), 'weighted avg'];
  const width = Math.max(...names.map((n) => n.length));
  const cell = (v: string) => ` ${v.padStart(9)}`;
  const row = (name: string, cells: string[]) => `${name.padStart(width)} ${cells.map(cell).join('')}\n`;
  const num = (v: number) => formatMetric(v, digits);
  let out = row('', ['precision', 'recall', 'f1-score', 'support']) + '\n';
  for (const r of s.perClass) out += row(r.label, [num(r.precision), num(r.recall), num(r.f1), String(r.support)]);
  out += '\n';
  out += row('accuracy', ['', '', num(s.accuracy), String(s.count)]);
  for (const [name, a] of [
    ['macro avg', s.macro],
    ['weighted avg', s.weighted],
  ] as const) {
    out += row(name, [num(a.precision), num(a.recall), num(a.f1), String(s.count)]);
  }
  return out;
}

/** The confusion matrix as a table: a row per true class, a column per predicted class. */
export function formatConfusion(s: Pick<Scores, 'classes' | 'confusion'>): string {
  const columns = [{ header: 'true \\ predicted' }, ...s.classes.map((c) => ({ header: c }))];
  const rows = s.confusion.map((r, i) => [s.classes[i]!, ...r.map(String)]);
  return formatTable(columns, rows);
}

export function formatTopLosses(s: Pick<Scores, 'topLosses'>): string {
  const rows = s.topLosses.map((t) => [formatMetric(t.loss), formatMetric(t.prob, 3), t.label, t.predicted, t.path]);
  const columns = [
    { header: 'loss', align: 'right' as const },
    { header: 'prob', align: 'right' as const },
    { header: 'true', align: 'left' as const },
    { header: 'predicted', align: 'left' as const },
    { header: 'path', align: 'left' as const },
  ];
  return formatTable(columns, rows);
}

/** The whole human report of `anneal eval`. */
export function formatEvalReport(r: EvalResult): string {
  return [
    formatClassificationReport(r),
    `top-${r.topK.k} accuracy ${formatMetric(r.topK.accuracy)}   loss ${formatMetric(r.loss)}\n`,
    `confusion matrix (rows: true class, columns: predicted)\n${formatConfusion(r)}`,
    r.topLosses.length
      ? `top ${r.topLosses.length} losses (prob: the model's probability of its prediction)\n${formatTopLosses(r)}`
      : '',
  ]
    .filter(Boolean)
    .join('\n');
}

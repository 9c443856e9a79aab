// `anneal export`: a run's or a model dir's model as ONNX or TF.js, with labels.json,
// preprocessing.json and a model card beside it. Everything is written into a temporary sibling
// folder, checked (the written model loaded back and compared with Anneal's own output), and only
// then renamed into place, so that a failure at any point leaves nothing at --out.
import { existsSync, mkdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readDataset } from '../data/sources/index.js';
import type { Problem, Sample } from '../data/types.js';
import { describeRun, EvalError, evaluate, toModelLabels, type EvalResult } from '../evaluate/index.js';
import { cleanStaleTemps, doneWithTemp, isNoSpace, NoSpaceError, tempSibling } from '../fs/index.js';
import { checkDestination } from '../model-dir/index.js';
import { ANNEAL_VERSION } from '../runtime/index.js';
import { describeFiles, modelCardHtml, MODEL_CARD_FILE, type CardInput } from './card.js';
import { ExportError } from './errors.js';
import { preprocessingDocument, type ExportFormat, type ExportInfo } from './metadata.js';
import { OPSET, toOnnx } from './onnx/convert.js';
import { savedModelUnavailable } from './savedmodel.js';
import { openExportSource, type ExportSource } from './source.js';
import { writeTfjsModel } from './tfjs.js';
import { ttaRun, type TtaConfig } from '../tta/index.js';
import { verifyOnnx, verifyTfjs, type Verification } from './verify.js';

export const ONNX_MODEL_FILE = 'model.onnx';

export interface ExportOptions {
  /** A run folder or a model dir. */
  source: string;
  format: ExportFormat;
  /** The folder to create (must not exist, or be empty). */
  out: string;
  /** ONNX only: the bare network on normalised NCHW input, no preprocessing in the graph. */
  rawInput?: boolean;
  /** A run's checkpoint instead of its model/: best, last, an epoch number or epoch-NNNN. */
  checkpoint?: string;
  /** The run's moving average of the weights (run config ema) instead of its live weights. */
  ema?: boolean;
  /** Evaluate on this dataset for the model card (default: a run's validation split). */
  data?: string;
  /** false: no evaluation in the card. */
  evaluate?: boolean;
  /** Evaluate with test-time augmentation (the card records it, and the plain numbers beside). */
  tta?: TtaConfig;
  batchSize?: number;
  /** Images evaluated so far and in all. */
  onProgress?: (done: number, total: number) => unknown; // a promise it returns is awaited
}

export interface ExportResult {
  out: string;
  format: 'onnx' | 'tfjs';
  files: string[];
  info: ExportInfo;
  /** Which weights were exported, in words. */
  weights: string;
  verification: Verification;
  evaluation: { accuracy: number; count: number; on: string } | null;
  /** Why the card has no evaluation, when it has none. */
  notEvaluated: string | null;
  skipped: Problem[];
  /** Temporary folders of killed earlier exports to the same place, removed before this one. */
  cleaned: string[];
}

/** Creates the temporary folder beside `target` (and any missing parents), or says why it cannot. */
function makeTemp(target: string, out: string): { tmp: string; created: string | undefined } {
  const parent = dirname(target);
  let created: string | undefined;
  try {
    created = mkdirSync(parent, { recursive: true });
    const tmp = tempSibling(target);
    mkdirSync(tmp);
    return { tmp, created };
  } catch (e) {
    if (created) rmSync(created, { recursive: true, force: true });
    throw new ExportError(`cannot write to ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** The images the card's evaluation runs on, or why there are none. */
async function evaluationSamples(
  src: ExportSource,
  o: ExportOptions,
): Promise<{ samples: Sample[]; on: string; problems: Problem[] } | { missing: string }> {
  if (o.data !== undefined) {
    const { dataset } = await readDataset(o.data);
    const samples = toModelLabels(dataset.samples, dataset.classes, src.meta, o.data);
    return { samples, on: `${o.data} (all ${samples.length} images)`, problems: dataset.problems };
  }
  if (src.run) {
    const split = src.run.readSplit();
    if (!split?.val.length) return { missing: `run ${src.run.id} has no validation images; export with --data <dir>` };
    const samples = toModelLabels(split.val, src.run.meta.dataset.classes, src.meta, `run ${src.run.id}`);
    return { samples, on: `the run's validation split (${samples.length} images)`, problems: [] };
  }
  return { missing: 'No evaluation data was given (export with --data <dir> to evaluate the model here).' };
}

async function evaluateForCard(
  src: ExportSource,
  o: ExportOptions,
): Promise<{ card: CardInput['evaluation']; result: EvalResult | null; problems: Problem[] }> {
  if (o.evaluate === false) return { card: { missing: 'Not evaluated (--no-eval).' }, result: null, problems: [] };
  const target = await evaluationSamples(src, o);
  if ('missing' in target) return { card: target, result: null, problems: [] };
  try {
    const result = await evaluate(src.model, src.meta, target.samples, {
      batchSize: o.batchSize,
      topLosses: 0,
      onProgress: o.onProgress,
      ...(o.tta ? { tta: ttaRun(o.tta, src.run) } : {}),
    });
    return { card: { result, on: target.on }, result, problems: [...target.problems, ...result.skipped] };
  } catch (e) {
    // The model exports fine without its evaluation (images moved away since training, say): the card says so.
    if (e instanceof EvalError)
      return { card: { missing: `Not evaluated: ${e.message}.` }, result: null, problems: [] };
    throw e;
  }
}

function classCounts(samples: readonly Sample[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const s of samples) if (s.label >= 0 && s.label < classes) counts[s.label]!++;
  return counts;
}

async function writeExport(
  tmp: string,
  src: ExportSource,
  o: ExportOptions,
): Promise<Omit<ExportResult, 'out' | 'cleaned'>> {
  const format = o.format === 'tfjs' ? 'tfjs' : 'onnx';
  const { meta } = src;
  const info: ExportInfo = {
    format: 'anneal-export',
    version: 1,
    modelFormat: format,
    arch: meta.arch,
    labels: meta.labels,
    inputSize: meta.inputSize,
    input: format === 'tfjs' ? 'normalised-nhwc' : o.rawInput ? 'normalised-nchw' : 'rgb255-nhwc',
    preprocessing: meta.preprocessing,
    created: new Date().toISOString(),
  };
  let files: string[];
  let verification: Verification;
  if (format === 'onnx') {
    const bytes = toOnnx(src.model, info, ANNEAL_VERSION);
    writeFileSync(join(tmp, ONNX_MODEL_FILE), bytes);
    files = [ONNX_MODEL_FILE];
    verification = await verifyOnnx(bytes, src.model, meta);
  } else {
    files = await writeTfjsModel(tmp, src.model, info);
    verification = await verifyTfjs(tmp, src.model, meta);
  }
  writeFileSync(join(tmp, 'labels.json'), `${JSON.stringify(meta.labels, null, 2)}\n`);
  writeFileSync(join(tmp, 'preprocessing.json'), `${JSON.stringify(preprocessingDocument(info), null, 2)}\n`);
  files.push('labels.json', 'preprocessing.json', MODEL_CARD_FILE);

  const evaluated = await evaluateForCard(src, o);
  const split = src.run?.readSplit();
  const n = meta.labels.length;
  const card = modelCardHtml({
    info,
    formatTitle: format === 'onnx' ? `ONNX (opset ${OPSET})` : 'a TF.js layers model',
    files,
    source: { kind: src.kind, path: src.path, weights: src.weights, meta },
    run: src.run ? describeRun(src.run.dir) : null,
    split: split && src.run ? { train: classCounts(split.train, n), val: classCounts(split.val, n) } : null,
    evaluation: evaluated.card,
    verification,
    version: ANNEAL_VERSION,
  });
  writeFileSync(join(tmp, MODEL_CARD_FILE), card);
  const r = evaluated.result;
  return {
    format,
    files,
    info,
    weights: src.weights,
    verification,
    evaluation:
      r && 'on' in evaluated.card
        ? {
            accuracy: r.accuracy,
            count: r.count,
            on: `${evaluated.card.on}${r.tta ? ', with test-time augmentation' : ''}`,
          }
        : null,
    notEvaluated: 'missing' in evaluated.card ? evaluated.card.missing : null,
    skipped: evaluated.problems,
  };
}

/** Exports `o.source` into the new folder `o.out`. Every tensor it makes is freed; the TF.js backend must be set. */
export async function exportModel(o: ExportOptions): Promise<ExportResult> {
  if (o.format === 'savedmodel') throw savedModelUnavailable();
  if (o.format !== 'onnx' && o.format !== 'tfjs') throw new ExportError(`unknown format "${String(o.format)}"`);
  if (o.rawInput && o.format !== 'onnx')
    throw new ExportError('is for the onnx format (a TF.js export already takes normalised input)', {
      field: 'rawInput',
      kind: 'conflict',
    });
  const target = resolve(o.out);
  checkDestination(target);
  // What earlier exports to this destination left when they were killed: removed, and said.
  const cleaned = cleanStaleTemps(target);
  const { tmp, created } = makeTemp(target, o.out);
  let src: ExportSource | undefined;
  try {
    src = await openExportSource(o.source, { checkpoint: o.checkpoint, ema: o.ema });
    const result = await writeExport(tmp, src, o);
    try {
      if (existsSync(target)) rmdirSync(target); // empty (checkDestination): replaced by the finished folder
      renameSync(tmp, target);
    } catch (e) {
      throw new ExportError(`cannot write to ${o.out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return { out: target, ...result, cleaned };
  } catch (e) {
    rmSync(created ?? tmp, { recursive: true, force: true });
    if (isNoSpace(e)) {
      const file = e instanceof NoSpaceError ? e.path : ((e as NodeJS.ErrnoException).path ?? tmp);
      throw new NoSpaceError(file, `nothing was written at ${o.out} (the partial export was removed)`, { cause: e });
    }
    throw e;
  } finally {
    doneWithTemp(tmp);
    src?.model.dispose();
  }
}

/** The few lines `anneal export` prints, and the Export screen shows, about a finished export. */
export function exportSummary(r: ExportResult, out: string): string {
  const v = r.verification;
  const { info } = r;
  return (
    `exported ${info.arch} (${info.labels.length} classes, ${info.inputSize} px; ${r.weights}) as ${r.format} to ${out}\n` +
    `  files: ${describeFiles(r.files)}\n` +
    `  checked: ${v.runtime} against ${v.reference} on ${v.images} test images, logits relative L2 ${v.logitsRelL2.toExponential(2)}\n` +
    (r.evaluation
      ? `  evaluated on ${r.evaluation.on}: accuracy ${r.evaluation.accuracy.toFixed(4)}\n`
      : `  ${r.notEvaluated}\n`) +
    cleanedNote(r.cleaned)
  );
}

/** One line about the temp folders of killed earlier writes that were removed, if any. */
export function cleanedNote(cleaned: readonly string[]): string {
  if (!cleaned.length) return '';
  const n = cleaned.length;
  return `  removed ${n} temporary folder${n === 1 ? '' : 's'} left by an interrupted earlier write: ${cleaned.join(', ')}\n`;
}

// The TF.js export: a layers model as tensorflowjs_converter writes one (model.json and weight
// shards of 4 MB, its default --weight_shard_size_bytes, which is what browsers and CDNs cache
// well), loadable by tf.loadLayersModel anywhere, with the labels and preprocessing in its
// userDefinedMetadata (tf.LayersModel.getUserDefinedMetadata() returns them).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ExportError } from './errors.js';
import { ExportInfo } from './metadata.js';

export const SHARD_BYTES = 4 * 1024 * 1024;
export const TFJS_MODEL_FILE = 'model.json';

/** The weights as one buffer, cut into shards; a tensor may straddle two, as in the converter's output. */
function shards(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let start = 0; start < data.byteLength; start += SHARD_BYTES)
    out.push(data.subarray(start, Math.min(start + SHARD_BYTES, data.byteLength)));
  return out.length ? out : [new Uint8Array(0)];
}

function concat(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((n, b) => n + b.byteLength, 0));
  let offset = 0;
  for (const b of parts) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out;
}

/** Writes model.json and its shards into `dir` (which exists); returns the file names. */
export async function writeTfjsModel(dir: string, model: tfl.LayersModel, info: ExportInfo): Promise<string[]> {
  const files: string[] = [];
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.weightData || !artifacts.weightSpecs) throw new ExportError('the model has no weights to export');
      const parts = shards(concat(artifacts.weightData as ArrayBuffer | ArrayBuffer[]));
      const paths = parts.map((_, i) => `group1-shard${i + 1}of${parts.length}.bin`);
      parts.forEach((p, i) => writeFileSync(join(dir, paths[i]!), p));
      const manifest = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: 'Anneal',
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths, weights: artifacts.weightSpecs }],
        userDefinedMetadata: { anneal: ExportInfo.parse(info) },
      };
      writeFileSync(join(dir, TFJS_MODEL_FILE), JSON.stringify(manifest));
      files.push(TFJS_MODEL_FILE, ...paths);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return files;
}

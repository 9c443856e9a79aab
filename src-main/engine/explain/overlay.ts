// What Grad-CAM writes: the heatmap over the image as the model sees it (the eval transform's
// size × size pixels, so that every heatmap pixel sits on the input pixel it explains), and the
// raw heatmap as a NumPy .npy file (float32, shape (size, size)) for programs.
import sharp from 'sharp';
import type { RgbImage } from '../data/types.js';

/**
 * The "jet" colour map (MATLAB's, OpenCV's COLORMAP_JET, what the Grad-CAM paper's figures and
 * pytorch-grad-cam's show_cam_on_image use): blue (0) → cyan → yellow → red (1), piecewise linear.
 */
export function jet(v: number): [number, number, number] {
  const c = (x: number) => Math.round(255 * Math.min(1, Math.max(0, x)));
  return [c(1.5 - Math.abs(4 * v - 3)), c(1.5 - Math.abs(4 * v - 2)), c(1.5 - Math.abs(4 * v - 1))];
}

/** Smallest whole factor that makes an overlay at least this wide: a 32-px view is hard to see. */
const MIN_OVERLAY_WIDTH = 224;

/**
 * The heatmap in jet over the view, enlarged by a whole factor with nearest-neighbour so that each
 * input pixel stays one square block, aligned with the heatmap. An RGB PNG. The colour's weight
 * grows with the heatmap (0.2 where it is 0, 0.7 where it is 1), where pytorch-grad-cam's
 * show_cam_on_image uses 0.5 throughout: the image stays readable where the model did not look,
 * and the subject's outline shows through where it did.
 */
export async function overlayPng(view: RgbImage, heatmap: Float32Array): Promise<Buffer> {
  const { width: w, height: h } = view;
  if (heatmap.length !== w * h) throw new RangeError(`heatmap of ${heatmap.length} values for a ${w}×${h} view`);
  const out = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    const h = heatmap[i]!;
    const colour = jet(h);
    const a = 0.2 + 0.5 * h;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = Math.round((1 - a) * view.data[i * 3 + c]! + a * colour[c]!);
  }
  const factor = Math.max(1, Math.ceil(MIN_OVERLAY_WIDTH / w));
  return sharp(out, { raw: { width: w, height: h, channels: 3 } })
    .resize(w * factor, h * factor, { kernel: 'nearest' })
    .png()
    .toBuffer();
}

/** A float32 array as a NumPy .npy file (format 1.0, little-endian '<f4', C order). */
export function npyBytes(data: Float32Array, shape: readonly number[]): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const unpadded = 10 + dict.length + 1;
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(data.length * 4);
  data.forEach((v, i) => body.writeFloatLE(v, i * 4));
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

/** Reads back what npyBytes writes (float32, C order): for tests and the app. */
export function parseNpy(bytes: Uint8Array): { shape: number[]; data: Float32Array } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error('not a .npy file');
  const len = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + len);
  if (!header.includes("'<f4'") || header.includes("'fortran_order': True"))
    throw new Error('not a C-order float32 .npy');
  const shape = (/'shape': \(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = buf.readFloatLE(10 + len + i * 4);
  return { shape, data };
}

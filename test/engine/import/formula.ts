// The closed-form weights and image of test/golden/generate_parity.py, reproduced bit for bit:
// every value is computed in float64 exactly as the generator does, then rounded to float32.
import { readFileSync } from 'node:fs';

export interface Golden {
  cases: { arch: string; imageSize: number; numClasses: number; logits: number[]; probs: number[] }[];
  image32: number[];
  formulaSamples: Record<string, { arch: string; shape: number[]; first8: number[] }>;
  mean: number[];
  std: number[];
}

export const parity = JSON.parse(readFileSync(new URL('../../golden/parity.json', import.meta.url), 'utf8')) as Golden;
export const stateDicts = JSON.parse(
  readFileSync(new URL('../../golden/torchvision-state-dicts.json', import.meta.url), 'utf8'),
) as { archs: Record<string, [string, number[], string][]> };

const STEP = Math.PI * (3 - Math.sqrt(5));

export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function formulaTensor(name: string, shape: number[], isBn: boolean): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const phase = (fnv1a32(name) / 2 ** 32) * 2 * Math.PI;
  const suffix = name.slice(name.lastIndexOf('.') + 1);
  const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Math.sin(phase + STEP * i);
    let x: number;
    if (suffix === 'running_mean') x = 0.1 * v;
    else if (suffix === 'running_var') x = 1 + 0.25 * (1 + v);
    else if (isBn && suffix === 'weight') x = 1 + 0.1 * v;
    else if (isBn && suffix === 'bias') x = 0.1 * v;
    else if (suffix === 'weight') x = v * Math.sqrt(2 / fanIn);
    else x = 0.05 * v;
    out[i] = x;
  }
  return out;
}

/** The whole formula state_dict of an architecture, num_batches_tracked left out. */
export function formulaStateDict(arch: string): { name: string; shape: number[]; data: Float32Array }[] {
  const entries = stateDicts.archs[arch]!;
  const names = new Set(entries.map(([n]) => n));
  return entries
    .filter(([n]) => !n.endsWith('num_batches_tracked'))
    .map(([name, shape]) => {
      const prefix = name.slice(0, name.lastIndexOf('.'));
      return { name, shape, data: formulaTensor(name, shape, names.has(`${prefix}.running_mean`)) };
    });
}

/** p(y, x, c) = floor(127.5 + 127.5 sin(0.37x + 0.23y + 1.1c + 0.5 sin(0.05xy))), clipped. */
export function formulaImage(size: number): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < 3; c++) {
        const v = Math.floor(127.5 + 127.5 * Math.sin(0.37 * x + 0.23 * y + 1.1 * c + 0.5 * Math.sin(0.05 * x * y)));
        out[(y * size + x) * 3 + c] = Math.min(255, Math.max(0, v));
      }
  return out;
}

/** Relative L2 distance ||a - b|| / ||b||. */
export function relL2(a: readonly number[], b: readonly number[]): number {
  let num = 0;
  let den = 0;
  a.forEach((v, i) => {
    num += (v - b[i]!) ** 2;
    den += b[i]! ** 2;
  });
  return Math.sqrt(num / den);
}

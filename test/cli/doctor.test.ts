// `anneal doctor` tells the truth about this machine: every backend probed for real.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { annealIn, type CliResult } from './helpers.js';

const require = createRequire(import.meta.url);
const installed = (name: string): boolean => {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
};
const tfjsNode = installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node');
const mesa = ['/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0', '/usr/lib/aarch64-linux-gnu/libEGL_mesa.so.0'].some(
  existsSync,
);

interface Doctor {
  backends: { name: string; available: boolean; device: string | null; reason: string }[];
  selected: string;
  desktopGpu: string;
}

describe('anneal doctor --json', () => {
  let r: CliResult;
  let out: Doctor;
  beforeAll(async () => {
    r = await annealIn(['doctor', '--json']);
    out = JSON.parse(r.stdout) as Doctor;
  });
  const by = (n: string) => out.backends.find((b) => b.name === n)!;

  it('has exactly the documented shape', () => {
    expect(r.status).toBe(0);
    expect(Object.keys(out)).toEqual(['backends', 'selected', 'trainEngine', 'desktopGpu']);
    expect(out.backends.map((b) => b.name)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    for (const b of out.backends) expect(Object.keys(b)).toEqual(['name', 'available', 'device', 'reason', 'threads']);
  });
  it('says what computes training steps on images beside the selected backend, and why', () => {
    const te = (out as unknown as { trainEngine: { engine: string; why: string } }).trainEngine;
    // onnxruntime beside a CPU backend (train/step-engine.ts), TF.js beside a GPU one.
    expect(te.engine).toBe(['wasm', 'cpu'].includes(out.selected) ? 'onnxruntime' : 'tfjs');
    expect(te.why.length).toBeGreaterThan(10);
  });
  it('says how many CPU threads wasm runs on, and why', () => {
    const threads = (by('wasm') as unknown as { threads: { count: number; why: string } }).threads;
    expect(threads.count).toBeGreaterThanOrEqual(1);
    expect(threads.why).toMatch(/physical cores|--threads|ANNEAL_THREADS|config/);
    expect((by('cpu') as unknown as { threads: unknown }).threads).toBeNull();
  });
  it('cpu and wasm always run, on the CPU', () => {
    expect(by('cpu')).toMatchObject({ available: true });
    expect(by('wasm')).toMatchObject({ available: true });
    // Anneal's conv backprop kernels (engine/backend/kernels) let wasm train.
    expect(by('wasm').reason).not.toMatch(/cannot train convolutions/);
  });
  it.skipIf(tfjsNode)(
    'tensorflow is missing, with the reason and the way to add it, when tfjs-node(-gpu) is absent',
    () => {
      expect(by('tensorflow')).toMatchObject({ available: false, device: null });
      expect(by('tensorflow').reason).toMatch(/not installed.*TFJS_NODE_CDN_STORAGE/);
    },
  );
  it.runIf(tfjsNode)('tensorflow is probed for real where tfjs-node(-gpu) is installed', () => {
    expect(by('tensorflow').reason).not.toMatch(/not installed/);
    if (by('tensorflow').available) expect(by('tensorflow').device).toBeTruthy();
  });
  it("webgpu runs on Mesa's software OpenGL ES where it is installed, and says what to install where not", () => {
    if (mesa) {
      expect(by('webgpu').available).toBe(true);
      expect(by('webgpu').device).toMatch(/llvmpipe|Mesa|OpenGL/);
      expect(by('webgpu').reason).toMatch(/software/);
    } else {
      expect(by('webgpu').available).toBe(false);
      expect(by('webgpu').reason).toMatch(/libegl-mesa0/);
    }
  });
  it('selects per workload', async () => {
    const inf = JSON.parse((await annealIn(['doctor', '--json', '--for', 'inference'])).stdout) as Doctor;
    // A real GPU first (tensorflow, then hardware WebGPU); on CPU-only machines wasm, which with
    // Anneal's conv backprop kernels also trains: software WebGPU trains ResNet-18 at ~1.5 img/s,
    // wasm at ~20 (engine/backend/select.ts).
    const expected = (full: boolean): string => {
      const webgpu = by('webgpu');
      if (by('tensorflow').available) return 'tensorflow';
      const hardware = webgpu.available && !/software/.test(webgpu.reason);
      return hardware && !(full && /cannot train convolutions/.test(webgpu.reason)) ? 'webgpu' : 'wasm';
    };
    expect(inf.selected).toBe(expected(false));
    expect(out.selected).toBe(expected(true));
  });
});

describe('anneal doctor', () => {
  it('prints a readable report including the desktop binary', async () => {
    const r = await annealIn(['doctor']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/selected for full training: /);
    expect(r.stdout).toMatch(
      /training steps on images: (onnxruntime on \d+ threads?|TF\.js \(\w+\)) \(.*ANNEAL_TRAIN_ENGINE/,
    );
    expect(r.stdout).toMatch(/desktop app \(electron\)/);
    // Which GPU path the desktop app's jobs get, and why (src-main/jobs/runtime.ts).
    expect(r.stdout).toMatch(/desktop app GPU path: .*memory cage/);
  });
});

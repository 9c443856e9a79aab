// `anneal bench` through the real executable (peak RSS is its own): the JSON the issue names, real numbers, no tensor
// growth over the timed steps, and one-line usage errors. Never asserts a speed.
import { describe, expect, it } from 'vitest';
import { detectBackends, selectBackend } from '../../src-main/engine/backend/index.js';
import { anneal, annealIn } from './helpers.js';

describe('anneal bench', () => {
  it('measures train, frozen, cached and inference images/s on the backend training uses', async () => {
    const r = anneal(
      [
        'bench',
        '--model',
        'resnet_micro',
        '--image-size',
        '16',
        '--batch-size',
        '4',
        '--steps',
        '2',
        '--warmup',
        '1',
        '--json',
      ],
      process.cwd(),
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    // The backend full training picks on this machine (wasm on CPU-only ones; a GPU where there is one).
    const selected = selectBackend(await detectBackends(), 'full');
    expect(out).toMatchObject({
      backend: selected.name,
      model: 'resnet_micro',
      image_size: 16,
      batch_size: 4,
      steps: 2,
    });
    for (const k of ['train_img_per_s', 'infer_img_per_s', 'frozen_train_img_per_s', 'frozen_cached_img_per_s']) {
      expect(out[k], k).toBeTypeOf('number');
      expect(out[k] as number, k).toBeGreaterThan(0);
    }
    expect(out.device).toBe(selected.device ?? 'unknown');
    expect(out.peak_rss_mb as number).toBeGreaterThan(50);
    // Training runs first; its own high-water mark is at most the whole bench's.
    expect(out.train_peak_rss_mb as number).toBeGreaterThan(50);
    expect(out.train_peak_rss_mb as number).toBeLessThanOrEqual(out.peak_rss_mb as number);
    // The training step's engine as a run picks it: onnxruntime beside a CPU backend (train/step-engine.ts).
    expect(out.train_engine).toMatch(['wasm', 'cpu'].includes(selected.name) ? /^onnxruntime / : /^TF\.js /);
    expect(out.leaked_tensors).toBe(0);
  });

  it('--check compares one step’s gradients with the cpu backend (wasm: fp32 summation order only)', () => {
    const args = ['bench', '--backend', 'wasm', '--check', '--model', 'resnet_micro', '--image-size', '16'];
    const r = anneal([...args, '--batch-size', '2', '--steps', '1', '--warmup', '1', '--json'], process.cwd());
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(out).toMatchObject({ backend: 'wasm', check_batch: 2, leaked_tensors: 0 });
    expect(out.grad_rel_err as number).toBeGreaterThan(0);
    expect(out.grad_rel_err as number).toBeLessThan(1e-4);
    expect((out.grad_worst as { weight: string }).weight).toMatch(/./);
  });

  it('prints a readable table without --json', () => {
    const r = anneal(
      ['bench', '--model', 'resnet_micro', '--image-size', '16', '--batch-size', '2', '--steps', '1'],
      process.cwd(),
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/train \(all layers\)\s+[\d.]+ img\/s \((onnxruntime|TF\.js)/);
    expect(r.stdout).toMatch(/peak RSS\s+\d+ MB \(training alone: \d+ MB\)/);
  });

  it('--train-engine tfjs keeps the TF.js step measurable; a bad engine is a usage error', async () => {
    const args = ['bench', '--model', 'resnet_micro', '--image-size', '16', '--batch-size', '2', '--steps', '1'];
    const r = await annealIn([...args, '--warmup', '0', '--train-engine', 'tfjs', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toMatchObject({
      train_engine: expect.stringMatching(/^TF\.js /),
    });
    const bad = await annealIn([...args, '--train-engine', 'fast']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--train-engine/);
  });

  it('refuses an unknown model or backend with one line and exit 2', async () => {
    const a = await annealIn(['bench', '--model', 'alexnet']);
    expect(a.status).toBe(2);
    expect(
      a.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('npm warn')),
    ).toHaveLength(1);
    expect(a.stderr).toMatch(/unknown architecture "alexnet"/);
    const b = await annealIn(['bench', '--model', 'resnet_micro', '--backend', 'cuda']);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/unknown backend "cuda"/);
    const c = await annealIn(['bench', '--steps', '0']);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/--steps must be a whole number >= 1/);
  });

  it('--threads: the wasm pool has that many threads; the forward-only engine and feature extraction are reported', () => {
    const args = ['bench', '--model', 'resnet_micro', '--image-size', '16', '--batch-size', '4', '--steps', '1'];
    const r = anneal([...args, '--warmup', '1', '--threads', '2', '--json'], process.cwd());
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(out).toMatchObject({ backend: 'wasm', threads: 2, leaked_tensors: 0 });
    expect(out.forward_runtime).toMatch(/^onnxruntime .*\(cpu, 2 threads\)$/);
    for (const k of ['forward_img_per_s', 'features_img_per_s']) expect(out[k] as number, k).toBeGreaterThan(0);
    const one = anneal([...args, '--warmup', '0', '--threads', '1', '--json'], process.cwd());
    expect(one.status, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout.trim().split('\n').at(-1)!)).toMatchObject({ threads: 1 });
  });
});

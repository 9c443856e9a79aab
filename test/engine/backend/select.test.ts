import { describe, expect, it } from 'vitest';
import { BackendError, selectBackend, type BackendInfo } from '../../../src-main/engine/backend/index.js';

const b = (name: BackendInfo['name'], available: boolean, extra: Partial<BackendInfo> = {}): BackendInfo => ({
  name,
  available,
  device: available ? 'dev' : null,
  reason: 'r',
  canTrainConvolutions: true,
  software: false,
  ...extra,
});

const here = [b('tensorflow', false), b('webgpu', true, { software: true }), b('wasm', true), b('cpu', true)];
const gpuBox = [b('tensorflow', true), b('webgpu', true), b('wasm', true), b('cpu', true)];

describe('selectBackend', () => {
  it('on a CPU-only machine: wasm (with Anneal backprop kernels) for everything', () => {
    expect(selectBackend(here, 'inference').name).toBe('wasm');
    expect(selectBackend(here, 'frozen').name).toBe('wasm');
    expect(selectBackend(here, 'full').name).toBe('wasm');
  });
  it('a wasm without conv backprop is skipped for full training: software WebGPU, then cpu', () => {
    const noBackprop = here.map((x) => (x.name === 'wasm' ? { ...x, canTrainConvolutions: false } : x));
    expect(selectBackend(noBackprop, 'full').name).toBe('webgpu');
    expect(selectBackend(noBackprop, 'inference').name).toBe('wasm');
  });
  it('prefers libtensorflow, then a real GPU', () => {
    expect(selectBackend(gpuBox, 'full').name).toBe('tensorflow');
    expect(selectBackend(gpuBox.slice(1), 'inference').name).toBe('webgpu');
  });
  it('never picks a wasm that cannot train convolutions for full training', () => {
    expect(selectBackend([b('wasm', true, { canTrainConvolutions: false }), b('cpu', true)], 'full').name).toBe('cpu');
  });
  it('honours an override, or refuses it with the reason', () => {
    expect(selectBackend(here, 'full', 'cpu').name).toBe('cpu');
    expect(() => selectBackend(here, 'full', 'tensorflow')).toThrow(/tensorflow is not available: r/);
    const noBackprop = [b('wasm', true, { canTrainConvolutions: false })];
    expect(() => selectBackend(noBackprop, 'full', 'wasm')).toThrow(/wasm cannot train convolutions/);
    expect(() => selectBackend(here, 'full', 'cuda')).toThrow(BackendError);
  });
});

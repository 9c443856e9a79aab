import { describe, expect, it } from 'vitest';
import { BackendError, selectBackend, type BackendInfo } from '../../../src-main/engine/backend/index.js';

const b = (name: BackendInfo['name'], available: boolean, extra: Partial<BackendInfo> = {}): BackendInfo => ({
  name,
  available,
  device: available ? 'dev' : null,
  reason: 'r',
  canTrainConvolutions: name !== 'wasm',
  software: false,
  ...extra,
});

const here = [b('tensorflow', false), b('webgpu', true, { software: true }), b('wasm', true), b('cpu', true)];
const gpuBox = [b('tensorflow', true), b('webgpu', true), b('wasm', true), b('cpu', true)];

describe('selectBackend', () => {
  it('on a CPU-only machine: wasm for inference and frozen stages, software WebGPU for full training', () => {
    expect(selectBackend(here, 'inference').name).toBe('wasm');
    expect(selectBackend(here, 'frozen').name).toBe('wasm');
    expect(selectBackend(here, 'full').name).toBe('webgpu');
  });
  it('prefers libtensorflow, then a real GPU', () => {
    expect(selectBackend(gpuBox, 'full').name).toBe('tensorflow');
    expect(selectBackend(gpuBox.slice(1), 'inference').name).toBe('webgpu');
  });
  it('never picks wasm for full training, even when it is all that is left but cpu', () => {
    expect(selectBackend([b('wasm', true), b('cpu', true)], 'full').name).toBe('cpu');
  });
  it('honours an override, or refuses it with the reason', () => {
    expect(selectBackend(here, 'full', 'cpu').name).toBe('cpu');
    expect(() => selectBackend(here, 'full', 'tensorflow')).toThrow(/tensorflow is not available: r/);
    expect(() => selectBackend(here, 'full', 'wasm')).toThrow(/wasm cannot train convolutions/);
    expect(() => selectBackend(here, 'full', 'cuda')).toThrow(BackendError);
  });
});

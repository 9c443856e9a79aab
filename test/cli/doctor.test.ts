// `anneal doctor` tells the truth about the optional native components on this machine.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { anneal } from './helpers.js';

const require = createRequire(import.meta.url);
const installed = (name: string): boolean => {
  try {
    require.resolve(`${name}/package.json`);
    return true;
  } catch {
    return false;
  }
};

describe('anneal doctor', () => {
  it('reports each optional native component, and how to add a missing one', () => {
    const r = anneal(['doctor', '--json']);
    expect(r.status).toBe(0);
    const { components } = JSON.parse(r.stdout) as {
      components: { name: string; available: boolean; detail: string; howToAdd: string }[];
    };
    expect(components.map((c) => c.name)).toEqual(['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node', 'electron']);
    for (const c of components) {
      if (!installed(c.name)) {
        expect(c.available, c.name).toBe(false);
        expect(c.detail).toMatch(/not installed/);
      }
      if (!c.available) expect(c.howToAdd.length, c.name).toBeGreaterThan(20);
    }
    const tf = components[0]!;
    expect(tf.howToAdd).toMatch(/TFJS_NODE_CDN_STORAGE/);
    const electron = components[2]!;
    expect(electron.howToAdd).toMatch(/ELECTRON_OVERRIDE_DIST_PATH/);
    // Detection only looks at files: it never triggers Electron's lazy binary download.
    if (installed('electron')) expect(existsSync(require.resolve('electron/package.json'))).toBe(true);
  });
  it('prints a readable report', () => {
    const r = anneal(['doctor']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/electron/);
  });
});

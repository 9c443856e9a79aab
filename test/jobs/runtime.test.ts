// Which program the desktop app runs jobs in (src-main/jobs/runtime.ts): a plain Node wherever one
// is found, because WebGPU (dawn.node) cannot run in Electron's V8; Electron's Node mode, without
// WebGPU and saying so, only when none is.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveJobRuntime, type RuntimeContext } from '../../src-main/jobs/index.js';
import { electronBlocksWebGpu } from '../../src-main/engine/backend/webgpu.js';

const base: RuntimeContext = {
  execPath: '/opt/Anneal/anneal',
  env: { PATH: '/usr/local/bin:/usr/bin' },
  platform: 'linux',
};
const only =
  (...paths: string[]) =>
  (p: string) =>
    paths.includes(p);

describe('job runtime', () => {
  it('outside Electron (anneal serve, the CLI): this Node, with WebGPU', () => {
    const r = resolveJobRuntime({ ...base, execPath: '/usr/bin/node', isExecutable: () => false });
    expect(r).toMatchObject({ kind: 'node', execPath: '/usr/bin/node', webgpu: true, env: {} });
  });

  it('packaged app: the Node in resources/node, not Electron, and the reason names the memory cage', () => {
    const resources = '/opt/Anneal/resources';
    const node = join(resources, 'node', 'bin', 'node');
    const r = resolveJobRuntime({
      ...base,
      electron: '45.4.1',
      resourcesPath: resources,
      packaged: true,
      isExecutable: only(node, '/usr/bin/node'),
    });
    expect(r).toMatchObject({ kind: 'bundled-node', execPath: node, webgpu: true, env: {} });
    expect(r.reason).toMatch(/memory cage/);
    expect(r.reason).toMatch(/electron\/electron#35801/);
  });

  it('packaged app ignores the Node on PATH (the app must not depend on what the user installed)', () => {
    const r = resolveJobRuntime({
      ...base,
      electron: '45.4.1',
      resourcesPath: '/opt/Anneal/resources',
      packaged: true,
      isExecutable: only('/usr/bin/node'),
    });
    expect(r.kind).toBe('electron-as-node');
  });

  it('ANNEAL_JOB_NODE wins; on Windows the packaged Node is resources\\node\\node.exe', () => {
    const r = resolveJobRuntime({
      ...base,
      electron: '45.4.1',
      env: { ANNEAL_JOB_NODE: '/custom/node' },
      packaged: true,
      isExecutable: only('/custom/node'),
    });
    expect(r.execPath).toBe('/custom/node');
    const w = resolveJobRuntime({
      ...base,
      platform: 'win32',
      electron: '45.4.1',
      resourcesPath: 'C:\\Anneal\\resources',
      packaged: true,
      env: {},
      isExecutable: (p) => p.endsWith('node.exe'),
    });
    expect(w.execPath).toBe(join('C:\\Anneal\\resources', 'node', 'node.exe'));
  });

  it('from a checkout (npm run desktop): the Node that started npm, else the first on PATH', () => {
    const r = resolveJobRuntime({
      ...base,
      electron: '45.4.1',
      env: { npm_node_execpath: '/home/u/.nvm/node', PATH: '/usr/bin' },
      isExecutable: only('/home/u/.nvm/node', '/usr/bin/node'),
    });
    expect(r.execPath).toBe('/home/u/.nvm/node');
    const p = resolveJobRuntime({ ...base, electron: '45.4.1', isExecutable: only('/usr/bin/node') });
    expect(p.execPath).toBe('/usr/bin/node');
  });

  it('no Node anywhere: Electron as Node, without WebGPU, and the reason says what to do', () => {
    const r = resolveJobRuntime({ ...base, electron: '45.4.1', packaged: true, isExecutable: () => false });
    expect(r).toMatchObject({ kind: 'electron-as-node', webgpu: false, env: { ELECTRON_RUN_AS_NODE: '1' } });
    expect(r.reason).toMatch(/ANNEAL_JOB_NODE/);
  });

  it('the engine refuses webgpu inside Electron, with the reason, and not elsewhere', () => {
    expect(electronBlocksWebGpu()).toBeNull();
    const versions = process.versions as Record<string, string>;
    versions.electron = '45.4.1';
    try {
      expect(electronBlocksWebGpu()).toMatch(/memory cage/);
    } finally {
      delete versions.electron;
    }
  });
});

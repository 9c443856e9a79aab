// Which program runs a job, and so which GPU path the desktop app has (docs/desktop.md).
//
// Jobs run TF.js; on a GPU that means tfjs-backend-webgpu on dawn.node (npm `webgpu`). dawn.node
// hands out mapped GPU memory as an *external* ArrayBuffer (GPUBuffer::getMappedRange calls
// Napi::ArrayBuffer::New(env, ptr, size), dawn src/dawn/node/binding/GPUBuffer.cpp), and Electron
// 21+ builds V8 with sandboxed pointers (the "memory cage"), where such buffers are refused
// (napi_no_external_buffers_allowed: electron/electron#35801, dawn-gpu/node-webgpu#5 "External
// buffers are not allowed in electron"). That is a property of Electron's V8 build, so it holds in
// every process of the Electron binary, ELECTRON_RUN_AS_NODE children included: a job forked the
// usual way reaches no GPU. So in the desktop app a job runs in a plain Node binary when one is
// there: ANNEAL_JOB_NODE, or the one packaged beside the app (resources/node/), or, running from a
// checkout, the Node that started npm; only failing those does it fall back to Electron's Node
// mode, without WebGPU (the engine refuses webgpu there and says why).
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface JobRuntime {
  /** The program fork() runs (process.execPath when it is this process's own). */
  execPath: string;
  /** Environment additions for the job. */
  env: Record<string, string>;
  kind: 'node' | 'bundled-node' | 'electron-as-node';
  /** Whether WebGPU (dawn.node) can work in that process. */
  webgpu: boolean;
  /** One sentence: which runtime, and why. */
  reason: string;
}

export interface RuntimeContext {
  /** process.versions.electron of the process that forks. */
  electron?: string | undefined;
  execPath: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** Electron's process.resourcesPath when packaged. */
  resourcesPath?: string | undefined;
  packaged?: boolean;
  /** Test seam: whether a file is there and executable. */
  isExecutable?: (path: string) => boolean;
}

const CAGE =
  "dawn.node maps GPU memory as external ArrayBuffers, which Electron's V8 memory cage refuses (electron/electron#35801, dawn-gpu/node-webgpu#5)";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The plain Node binaries the desktop app may run jobs with, most specific first. */
export function nodeCandidates(c: RuntimeContext): { path: string; from: string }[] {
  const exe = c.platform === 'win32' ? 'node.exe' : 'node';
  const out: { path: string; from: string }[] = [];
  if (c.env.ANNEAL_JOB_NODE) out.push({ path: c.env.ANNEAL_JOB_NODE, from: 'ANNEAL_JOB_NODE' });
  if (c.resourcesPath) {
    const sub = c.platform === 'win32' ? exe : join('bin', exe);
    out.push({ path: join(c.resourcesPath, 'node', sub), from: 'the Node packaged with the app' });
  }
  if (!c.packaged) {
    // `npm run desktop` from a checkout: the Node that runs npm, else the first on PATH.
    if (c.env.npm_node_execpath) out.push({ path: c.env.npm_node_execpath, from: 'the Node that started npm' });
    for (const dir of (c.env.PATH ?? '').split(delimiter).filter(Boolean)) {
      out.push({ path: join(dir, exe), from: 'the Node on PATH' });
    }
  }
  return out;
}

export function resolveJobRuntime(c: RuntimeContext): JobRuntime {
  if (!c.electron) {
    return {
      execPath: c.execPath,
      env: {},
      kind: 'node',
      webgpu: true,
      reason: 'jobs run in this Node process’s own binary, where dawn.node (WebGPU) works',
    };
  }
  const ok = c.isExecutable ?? executable;
  const found = nodeCandidates(c).find((n) => ok(n.path));
  if (found) {
    return {
      execPath: found.path,
      env: {},
      kind: 'bundled-node',
      webgpu: true,
      reason: `jobs run in ${found.from} (${found.path}), not in Electron: ${CAGE}`,
    };
  }
  return {
    execPath: c.execPath,
    env: { ELECTRON_RUN_AS_NODE: '1' },
    kind: 'electron-as-node',
    webgpu: false,
    reason: `no Node binary found for jobs (set ANNEAL_JOB_NODE, or package one in resources/node), so they run in Electron's Node mode, without WebGPU: ${CAGE}`,
  };
}

/** This process's view: what a job forked from here would run in. */
export function currentJobRuntime(): JobRuntime {
  const p = process as NodeJS.Process & { resourcesPath?: string; defaultApp?: boolean };
  return resolveJobRuntime({
    electron: process.versions.electron,
    execPath: process.execPath,
    env: process.env,
    platform: process.platform,
    resourcesPath: process.versions.electron && !p.defaultApp ? p.resourcesPath : undefined,
    packaged: Boolean(process.versions.electron) && !p.defaultApp,
  });
}

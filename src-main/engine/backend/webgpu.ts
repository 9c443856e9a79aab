// WebGPU in Node through the npm package `webgpu` (Dawn). On a real GPU Dawn picks Vulkan, Metal
// or D3D12. Without one, Dawn's OpenGL ES backend on Mesa's software rasteriser (llvmpipe) still
// runs compute shaders, but only as a "compatibility" adapter, and tfjs-backend-webgpu does not
// ask for that feature level itself, so the adapter request is wrapped.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface WebGpuProbe {
  ok: boolean;
  device: string | null;
  software: boolean;
  reason: string;
}

interface Adapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  requestDevice(d?: unknown): Promise<unknown>;
}
interface Gpu {
  requestAdapter(options?: Record<string, unknown>): Promise<Adapter | null>;
  wgslLanguageFeatures?: unknown;
}

const MESA_HINT =
  'no GPU adapter: no Vulkan/Metal/D3D12 device, and no software OpenGL ES ' +
  '(on Debian/Ubuntu: apt-get install libegl1 libegl-mesa0 libgles2 libgl1-mesa-dri)';

let chosen: { gpu: Gpu; adapter: Adapter; compat: boolean } | null | undefined;

async function firstAdapter(): Promise<{ gpu: Gpu; adapter: Adapter; compat: boolean } | null> {
  if (chosen !== undefined) return chosen;
  // Headless Mesa needs the surfaceless EGL platform; a desktop session keeps its own.
  if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) process.env.EGL_PLATFORM ??= 'surfaceless';
  const { create, globals } = (await import('webgpu')) as unknown as {
    create(flags: string[]): Gpu;
    globals: Record<string, unknown>;
  };
  Object.assign(globalThis, globals);
  const attempts: { flags: string[]; compat: boolean }[] = [
    { flags: [], compat: false },
    { flags: ['backend=opengles'], compat: true },
  ];
  chosen = null;
  for (const a of attempts) {
    const gpu = create(a.flags);
    const adapter = await gpu.requestAdapter(a.compat ? { featureLevel: 'compatibility' } : {});
    if (adapter) {
      chosen = { gpu, adapter, compat: a.compat };
      break;
    }
  }
  return chosen;
}

function describeAdapter(adapter: Adapter): { name: string; software: boolean } {
  const info = adapter.info ?? {};
  const parts = [info.vendor, info.architecture, info.device].filter((s): s is string => Boolean(s && s.trim()));
  const description = info.description?.trim();
  const base = parts.join(' ').replace(/-+$/, '');
  const name = base && description ? `${base} (${description})` : base || description || 'unknown GPU';
  const software = Boolean(info.isFallbackAdapter) || /llvmpipe|lavapipe|softpipe|swiftshader/i.test(name);
  return { name, software };
}

/**
 * dawn.node maps GPU buffers as external ArrayBuffers (GPUBuffer::getMappedRange), which Electron's
 * V8 "memory cage" refuses in every process of its binary, ELECTRON_RUN_AS_NODE ones included
 * (electron/electron#35801, dawn-gpu/node-webgpu#5). The desktop app runs jobs in a plain Node
 * instead (src-main/jobs/runtime.ts); a job that still lands in Electron gets this reason.
 */
export function electronBlocksWebGpu(): string | null {
  return process.versions.electron
    ? "WebGPU is unavailable in Electron's Node mode: dawn.node maps GPU memory as external ArrayBuffers, which Electron's V8 memory cage refuses (electron/electron#35801, dawn-gpu/node-webgpu#5); the desktop app runs jobs in a plain Node for this (docs/desktop.md)"
    : null;
}

/**
 * Probes in a child process (webgpu-probe.mjs), so Dawn's warnings stay out of our stderr; the
 * adapter is opened in this process only when WebGPU is actually used.
 */
export async function probeWebGpu(
  trainingKernels: readonly string[],
): Promise<WebGpuProbe & { missingKernels: string[] }> {
  const blocked = electronBlocksWebGpu();
  if (blocked) return { ok: false, device: null, software: false, reason: blocked, missingKernels: [] };
  const env = { ...process.env };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) env.EGL_PLATFORM ??= 'surfaceless';
  const script = fileURLToPath(new URL('./webgpu-probe.mjs', import.meta.url));
  const r = spawnSync(process.execPath, [script, ...trainingKernels], { encoding: 'utf8', env, timeout: 120_000 });
  const line = r.stdout?.trim().split('\n').pop();
  let res: { ok: boolean; info?: Adapter['info']; missingKernels?: string[]; error?: string };
  try {
    res = JSON.parse(line ?? '');
  } catch {
    const why = r.signal ? `the probe was killed (${r.signal})` : `the probe failed (exit ${r.status})`;
    return { ok: false, device: null, software: false, reason: `WebGPU unusable: ${why}`, missingKernels: [] };
  }
  if (!res.ok || !res.info) {
    const reason = res.error
      ? `the webgpu package failed: ${res.error}`
      : mesaLibrariesPresent()
        ? "no GPU adapter: Dawn found no Vulkan/Metal/D3D12 device and could not use Mesa's OpenGL ES"
        : MESA_HINT;
    return { ok: false, device: null, software: false, reason, missingKernels: [] };
  }
  const { name, software } = describeAdapter({ info: res.info, requestDevice: async () => undefined });
  return {
    ok: true,
    device: name,
    software,
    reason: software
      ? 'WebGPU on a software rasteriser (no GPU found): works, but slowly'
      : 'WebGPU on a GPU through Dawn',
    missingKernels: res.missingKernels ?? [],
  };
}

/** Makes `navigator.gpu` the adapter we found, before tfjs-backend-webgpu is imported. */
export async function installNavigatorGpu(): Promise<boolean> {
  const found = await firstAdapter();
  if (!found) return false;
  const { gpu, compat } = found;
  const wrapped = {
    requestAdapter: (options: Record<string, unknown> = {}) =>
      gpu.requestAdapter(compat ? { ...options, featureLevel: 'compatibility' } : options),
    getPreferredCanvasFormat: () => 'rgba8unorm',
    wgslLanguageFeatures: gpu.wgslLanguageFeatures,
  };
  const nav = (globalThis as unknown as { navigator?: Record<string, unknown> }).navigator;
  if (nav && Object.getOwnPropertyDescriptor(globalThis, 'navigator')?.writable !== false) {
    try {
      Object.defineProperty(nav, 'gpu', { value: wrapped, configurable: true });
      return true;
    } catch {
      // Node 21+ has a read-only navigator: replace it below.
    }
  }
  Object.defineProperty(globalThis, 'navigator', {
    value: { ...(nav ?? {}), gpu: wrapped, userAgent: 'node' },
    configurable: true,
    writable: true,
  });
  return true;
}

/** Mesa's EGL vendor library; its absence is the usual reason for no software adapter. */
function mesaLibrariesPresent(): boolean {
  return ['/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0', '/usr/lib/aarch64-linux-gnu/libEGL_mesa.so.0'].some(existsSync);
}

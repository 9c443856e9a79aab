// Probes WebGPU in a child process (see webgpu.ts): Dawn prints adapter warnings straight to the
// process's stderr, which must not end up in the output of every `anneal` command. Prints one
// JSON line: {ok, device, software, missingKernels} or {ok: false, reason}.
import { create, globals } from 'webgpu';

const TRAINING_KERNELS = process.argv.slice(2);

async function firstAdapter() {
  for (const { flags, compat } of [
    { flags: [], compat: false },
    { flags: ['backend=opengles'], compat: true },
  ]) {
    const gpu = create(flags);
    const adapter = await gpu.requestAdapter(compat ? { featureLevel: 'compatibility' } : {});
    if (adapter) return { gpu, adapter, compat };
  }
  return null;
}

try {
  Object.assign(globalThis, globals);
  const found = await firstAdapter();
  if (!found) {
    process.stdout.write(`${JSON.stringify({ ok: false })}\n`);
  } else {
    const info = found.adapter.info ?? {};
    const wrapped = {
      requestAdapter: (o = {}) => found.gpu.requestAdapter(found.compat ? { ...o, featureLevel: 'compatibility' } : o),
      getPreferredCanvasFormat: () => 'rgba8unorm',
      wgslLanguageFeatures: found.gpu.wgslLanguageFeatures,
    };
    Object.defineProperty(globalThis, 'navigator', {
      value: { gpu: wrapped, userAgent: 'node' },
      configurable: true,
      writable: true,
    });
    const tf = await import('@tensorflow/tfjs-core');
    await import('@tensorflow/tfjs-backend-webgpu');
    const ok = await tf.setBackend('webgpu');
    const have = new Set(tf.getKernelsForBackend('webgpu').map((k) => k.kernelName));
    process.stdout.write(
      `${JSON.stringify({
        ok,
        info: {
          vendor: info.vendor,
          architecture: info.architecture,
          device: info.device,
          description: info.description,
          isFallbackAdapter: info.isFallbackAdapter,
        },
        missingKernels: TRAINING_KERNELS.filter((k) => !have.has(k)),
      })}\n`,
    );
  }
} catch (e) {
  process.stdout.write(`${JSON.stringify({ ok: false, error: String(e && e.message ? e.message : e) })}\n`);
}
process.exit(0);

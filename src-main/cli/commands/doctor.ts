// `anneal doctor`: which backends run here, on what device, why the others do not, and which one
// training would use; plus the optional desktop binary.
import type { Command } from 'commander';
import {
  detectBackends,
  detectElectron,
  plannedTrainEngine,
  selectBackend,
  threadPlan,
  type Workload,
} from '../../engine/index.js';
import { resolveJobRuntime } from '../../jobs/index.js';
import type { Io } from '../options.js';

/** What a job forked by the desktop app (Electron) from this checkout would run in, and why. */
function desktopGpuPath(webgpu: { available: boolean; reason: string } | undefined): string {
  const runtime = resolveJobRuntime({
    electron: 'desktop',
    execPath: 'electron',
    env: process.env,
    platform: process.platform,
  });
  const here =
    runtime.webgpu && webgpu ? ` WebGPU in that Node: ${webgpu.available ? 'yes' : 'no'} (${webgpu.reason}).` : '';
  return `${runtime.kind === 'bundled-node' ? 'WebGPU through a plain Node for jobs' : 'no GPU (jobs in Electron’s Node mode)'}: ${runtime.reason}.${here}`;
}

export function registerDoctor(program: Command, io: Io): void {
  program
    .command('doctor')
    .description('report the TF.js backends that run here (device, reason) and which one is selected')
    .option('--json', 'print {"backends": [{name, available, device, reason}], "selected", "desktopGpu"}')
    .addOption(
      program
        .createOption('--for <workload>', 'the work to select a backend for')
        .choices(['full', 'frozen', 'inference'])
        .default('full'),
    )
    .action(async (opts: { json?: boolean; for: Workload }) => {
      const backends = await detectBackends();
      const selected = selectBackend(backends, opts.for).name;
      const webgpu = backends.find((b) => b.name === 'webgpu');
      const desktopGpu = desktopGpuPath(webgpu);
      // The training step on image batches (train/step-engine.ts): onnxruntime beside a CPU backend.
      const trainEngine = plannedTrainEngine(undefined, selected, false);
      if (opts.json) {
        const rows = backends.map(({ name, available, device, reason, threads }) => ({
          name,
          available,
          device,
          reason,
          threads: threads ?? null,
        }));
        io.stdout(`${JSON.stringify({ backends: rows, selected, trainEngine, desktopGpu }, null, 2)}\n`);
        return;
      }
      for (const b of backends) {
        const mark = b.name === selected ? '*' : ' ';
        io.stdout(`${mark} ${b.name.padEnd(10)} ${b.available ? 'available' : 'missing  '}  ${b.device ?? '-'}\n`);
        io.stdout(`    ${b.reason}\n`);
        if (b.threads) io.stdout(`    threads: ${b.threads.count} (${b.threads.why})\n`);
      }
      io.stdout(`selected for ${opts.for} training: ${selected}\n`);
      const threads = threadPlan().count;
      const engineName =
        trainEngine.engine === 'onnxruntime'
          ? `onnxruntime on ${threads} thread${threads === 1 ? '' : 's'}`
          : `TF.js (${selected})`;
      io.stdout(
        `training steps on images: ${engineName} (${trainEngine.why}; ANNEAL_TRAIN_ENGINE=tfjs|onnxruntime to choose)\n`,
      );
      const electron = detectElectron();
      io.stdout(`\ndesktop app (electron): ${electron.available ? 'available' : 'missing'}: ${electron.detail}\n`);
      if (!electron.available) io.stdout(`    to add it: ${electron.howToAdd}\n`);
      io.stdout(`desktop app GPU path: ${desktopGpu}\n`);
    });
}

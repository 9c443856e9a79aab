// Races `anneal bench` against PyTorch (bench/torch_bench.py) on the same machine with the same
// thread count: for each thread count (1, then all physical cores), image size and model, Anneal
// and PyTorch are measured right after each other so both see the same load. PyTorch gets the
// count through OMP_NUM_THREADS (set before Python starts) and torch.set_num_threads; Anneal through
// --threads (wasm's XNNPACK pool and onnxruntime's intra-op pool). Prints one markdown table per
// thread count, ratios included, for docs/benchmarks.md. Everything in one command:
//   npx tsx bench/race.ts [--models resnet18,resnet50,efficientnet_b0] [--sizes 64,224]
//     [--threads 1,all] [--batch-size 16] [--steps 10] [--warmup 2] [--python /usr/bin/python3]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { physicalCores } from '../src-main/engine/backend/threads.js';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'resnet18,resnet50,efficientnet_b0' },
    sizes: { type: 'string', default: '64,224' },
    threads: { type: 'string', default: '1,all' },
    'batch-size': { type: 'string', default: '16' },
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});

interface Row {
  backend: string;
  device: string;
  threads?: number | null;
  train_img_per_s: number;
  infer_img_per_s: number;
  frozen_train_img_per_s: number;
  features_img_per_s: number;
  forward_img_per_s?: number;
  forward_runtime?: string;
  peak_rss_mb: number;
}

const cores = physicalCores();
const threadCounts = values.threads.split(',').map((t) => (t === 'all' ? cores : Number(t)));
/** One measurement; a run that fails (ResNet-50 at 224 px, batch 16, outgrows wasm's heap) gives its last stderr line. */
const run = (cmd: string, args: string[], threads: number): Row | string => {
  const env = { ...process.env, OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
    return JSON.parse(out.trim().split('\n').at(-1)!) as Row;
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? '').trim();
    return `failed: ${stderr.split('\n').at(-1) || (e as Error).message.split('\n')[0]}`;
  }
};
const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));
const r = (x: number, y: number) => `**${(x / y).toFixed(2)}×**`;

console.log(`Machine: ${cores} physical cores; batch ${values['batch-size']}, medians of ${values.steps} steps.`);
for (const threads of threadCounts) {
  console.log(`\n### ${threads} thread${threads === 1 ? '' : 's'}\n`);
  console.log(
    '| model | px | engine | train img/s | frozen img/s | features img/s | infer img/s (TF.js) | infer img/s (predict, eval) | peak RSS MB |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const size of values.sizes.split(',')) {
    const common = ['--image-size', size, '--batch-size', values['batch-size'], '--steps', values.steps];
    const warm = ['--warmup', values.warmup, '--threads', String(threads)];
    for (const model of values.models.split(',')) {
      const a = run(
        process.execPath,
        ['bin/anneal.js', 'bench', '--model', model, ...common, ...warm, '--json'],
        threads,
      );
      const t = run(values.python, ['bench/torch_bench.py', '--model', model, ...common, ...warm], threads);
      if (typeof a === 'string' || typeof t === 'string') {
        const why = (x: Row | string) => (typeof x === 'string' ? x : 'ok');
        console.log(`| ${model} | ${size} | anneal: ${why(a)}; pytorch: ${why(t)} | | | | | | |`);
        continue;
      }
      const fwd = a.forward_img_per_s ?? a.infer_img_per_s;
      const runtime = (a.forward_runtime ?? '').replace(/ \(.*$/, '');
      console.log(
        `| ${model} | ${size} | anneal ${a.backend} | ${f(a.train_img_per_s)} | ${f(a.frozen_train_img_per_s)} | ${f(a.features_img_per_s)} | ${f(a.infer_img_per_s)} | ${f(fwd)} (${runtime}) | ${a.peak_rss_mb} |`,
      );
      console.log(
        `| ${model} | ${size} | ${t.backend} (${t.threads} thr) | ${f(t.train_img_per_s)} | ${f(t.frozen_train_img_per_s)} | ${f(t.features_img_per_s)} | ${f(t.infer_img_per_s)} | ${f(t.infer_img_per_s)} | ${t.peak_rss_mb} |`,
      );
      console.log(
        `| ${model} | ${size} | anneal ÷ PyTorch | ${r(a.train_img_per_s, t.train_img_per_s)} | ${r(a.frozen_train_img_per_s, t.frozen_train_img_per_s)} | ${r(a.features_img_per_s, t.features_img_per_s)} | ${r(a.infer_img_per_s, t.infer_img_per_s)} | ${r(fwd, t.infer_img_per_s)} | |`,
      );
    }
  }
}

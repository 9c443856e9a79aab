// Races `anneal bench` against PyTorch (bench/torch_bench.py) on the same machine, one model at a
// time, each measured right after the other so both see the same load; prints the markdown rows of
// docs/benchmarks.md's table, ratios included.
//   npx tsx bench/race.ts [--models resnet18,resnet50,efficientnet_b0] [--image-size 64]
//     [--batch-size 16] [--steps 10] [--python /usr/bin/python3]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'resnet18,resnet50,efficientnet_b0' },
    'image-size': { type: 'string', default: '64' },
    'batch-size': { type: 'string', default: '16' },
    steps: { type: 'string', default: '10' },
    python: { type: 'string', default: '/usr/bin/python3' },
  },
});

interface Row {
  backend: string;
  device: string;
  train_img_per_s: number;
  infer_img_per_s: number;
  frozen_train_img_per_s: number;
  frozen_cached_img_per_s?: number;
  peak_rss_mb: number;
}

const common = ['--image-size', values['image-size'], '--batch-size', values['batch-size'], '--steps', values.steps];
const run = (cmd: string, args: string[]): Row => {
  const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Row;
};
const f = (x: number) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

console.log('| model | engine | train img/s | frozen img/s | frozen cached img/s | infer img/s | peak RSS MB |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const model of values.models.split(',')) {
  const a = run(process.execPath, ['bin/anneal.js', 'bench', '--model', model, ...common, '--json']);
  const t = run(values.python, ['bench/torch_bench.py', '--model', model, ...common]);
  const cached = a.frozen_cached_img_per_s ?? 0;
  console.log(
    `| ${model} | anneal ${a.backend} | ${f(a.train_img_per_s)} | ${f(a.frozen_train_img_per_s)} | ${f(cached)} | ${f(a.infer_img_per_s)} | ${a.peak_rss_mb} |`,
  );
  console.log(
    `| ${model} | ${t.backend} | ${f(t.train_img_per_s)} | ${f(t.frozen_train_img_per_s)} | – | ${f(t.infer_img_per_s)} | ${t.peak_rss_mb} |`,
  );
  const r = (x: number, y: number) => `**${(x / y).toFixed(2)}×**`;
  console.log(
    `| ${model} | anneal ÷ PyTorch | ${r(a.train_img_per_s, t.train_img_per_s)} | ${r(a.frozen_train_img_per_s, t.frozen_train_img_per_s)} | ${r(cached, t.frozen_train_img_per_s)} | ${r(a.infer_img_per_s, t.infer_img_per_s)} | |`,
  );
}

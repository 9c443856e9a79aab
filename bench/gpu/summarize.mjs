// Turns bench/gpu/run.sh's results.jsonl into the Markdown that docs/benchmarks.md "GPU" takes:
// images/s per model and engine, Anneal's ratio to PyTorch fp32, the top kernels of one step,
// and the GPU work per step. Plain Node, no dependencies (it runs inside the GPU bundle).
//   node summarize.mjs results.jsonl > summary.md
import { readFileSync } from 'node:fs';

const rows = readFileSync(process.argv[2], 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('{'))
  .map((l) => JSON.parse(l));
const f = (x) => (typeof x !== 'number' ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? `**${(a / b).toFixed(2)}×**` : '–');
const out = [];
const probe = rows.find((r) => 'ok' in r && 'info' in r);
if (probe) out.push(`WebGPU adapter: ${JSON.stringify(probe.info)}`, '');
for (const r of rows.filter((x) => x.failed)) out.push(`- failed or timed out: ${r.failed}`);
// The gradient check's own run (1 step at 64 px) is reported on its own line below.
const benches = rows.filter((r) => r.train_img_per_s !== undefined && r.grad_rel_err === undefined);
const models = [...new Set(benches.map((r) => r.model))];
if (benches.length) {
  const sample = benches[0];
  out.push(
    '',
    `${sample.image_size} px, batch ${sample.batch_size}, medians of ${sample.steps} steps; device: ${sample.device}`,
    '',
  );
  out.push(
    '| model | engine | train img/s | frozen img/s | infer img/s | train ÷ PyTorch fp32 | infer ÷ PyTorch fp32 |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- |');
  for (const m of models) {
    // pytorch-cuda on the GPU machine (pytorch-cpu in a rehearsal).
    const fp32 = benches.find((r) => r.model === m && /^pytorch-[a-z]+$/.test(r.backend));
    for (const r of benches.filter((x) => x.model === m)) {
      out.push(
        `| ${m} | ${r.backend} | ${f(r.train_img_per_s)} | ${f(r.frozen_train_img_per_s)} | ${f(r.infer_img_per_s)} | ${ratio(r.train_img_per_s, fp32?.train_img_per_s)} | ${ratio(r.infer_img_per_s, fp32?.infer_img_per_s)} |`,
      );
    }
  }
}
for (const p of rows.filter((r) => r.profile)) {
  out.push(
    '',
    `Top kernels of one ${p.profile} training step (${p.kernel_calls} kernel calls, ${p.total_ms} ms of kernel time):`,
    '',
  );
  out.push('| kernel | calls | ms |', '| --- | --- | --- |');
  for (const k of p.kernels) out.push(`| ${k.kernel} | ${k.calls} | ${k.ms} |`);
}
for (const c of rows.filter((r) => r.dispatches_per_step !== undefined)) {
  out.push(
    '',
    `GPU work per ${c.model} step (${c.image_size} px, batch ${c.batch_size}): ${c.dispatches_per_step} dispatches, ${c.submits_per_step} submits, ${c.readbacks_per_step} readbacks`,
  );
}
for (const c of rows.filter((r) => r.grad_rel_err !== undefined)) {
  out.push(
    '',
    `Gradient check (${c.model}, ${c.image_size} px, ${c.check_batch} images vs the cpu backend): grad_rel_err ${c.grad_rel_err.toExponential(2)}, leaked_tensors ${c.leaked_tensors}`,
  );
}
for (const c of rows.filter((r) => r.conv_input)) {
  out.push('', `Conv2DBackpropInput, batch ${c.batch}, medians of ${c.reps} (ms):`, '');
  out.push(
    '| layer | tfjs direct (default) | tfjs implicit GEMM | Anneal implicit GEMM |',
    '| --- | --- | --- | --- |',
  );
  for (const l of c.conv_input)
    out.push(`| ${l.layer} | ${l.naive_ms.toFixed(2)} | ${l.tfjs_mm_ms.toFixed(2)} | ${l.anneal_ms.toFixed(2)} |`);
}
console.log(out.join('\n'));

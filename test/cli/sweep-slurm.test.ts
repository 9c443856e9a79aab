// `anneal sweep --executor slurm` against a real Slurm: CI starts a single-node cluster on
// localhost (.ci/slurm-localhost.sh: Debian's slurmctld, slurmd and munge), this test submits a
// 4-trial sweep as a job array, waits for it, and checks that every run folder completed and that
// `anneal sweep status` reports them. Skipped, saying why, where no Slurm controller answers.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeShapes } from '../../src-main/engine/demo/shapes.js';
import { onPath } from '../../src-main/engine/sweep/index.js';
import { anneal, tempDir, writeJson } from './helpers.js';

function slurmAnswers(): string | null {
  if (!onPath('sbatch') || !onPath('squeue'))
    return 'sbatch/squeue are not on PATH (CI installs slurm-wlm: .ci/slurm-localhost.sh)';
  const ping = spawnSync('scontrol', ['ping'], { encoding: 'utf8', timeout: 10_000 });
  if (ping.status !== 0 || !/UP/.test(ping.stdout))
    return `no slurmctld answers (scontrol ping: ${(ping.stdout + ping.stderr).trim()})`;
  const node = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 10_000 });
  if (!/idle|mixed|allocated/.test(node.stdout))
    return `no Slurm node is up (sinfo: ${node.stdout.trim() || node.stderr.trim()})`;
  return null;
}

const why = slurmAnswers();
if (why) {
  // CI starts Slurm (.ci/run runs .ci/slurm-localhost.sh): there, no Slurm is a failure, not a skip.
  if (process.env.CI) throw new Error(`Slurm is not available in CI: ${why}`);
  console.warn(`sweep-slurm.test.ts skipped: ${why}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(why !== null)('anneal sweep --executor slurm (a real single-node Slurm)', () => {
  let work: string;
  let config: string;

  beforeAll(async () => {
    work = tempDir('anneal-sweep-slurm-');
    const data = join(work, 'shapes');
    await makeShapes(data, 8);
    config = writeJson(work, 'sweep.json', {
      name: 'slurm-ci',
      base: { data, model: 'resnet_micro', imageSize: 32, recipe: { type: 'fineTune', epochs: 1, freezeEpochs: 0 } },
      trials: 4,
      seed: 1,
      parameters: { 'recipe.baseLr': { type: 'logUniform', min: 1e-4, max: 1e-2 } },
      // Two at once on CI's two cores.
      concurrency: 2,
    });
  });

  it('submits a job array, all four run folders complete, sweep status reports them', async () => {
    const r = anneal(['sweep', '--config', config, '--executor', 'slurm', '--out', join(work, 'sweeps'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const { sweepDir, jobId, script } = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
      sweepDir: string;
      jobId: string;
      script: string;
    };
    expect(jobId).toMatch(/^\d+$/);
    expect(readFileSync(script, 'utf8')).toContain('#SBATCH --array=0-3%2');

    interface Status {
      jobId: string;
      trials: { index: number; status: string; epochs: number; slurm: string | null }[];
      counts: Record<string, number>;
    }
    let st: Status | null = null;
    let sawSlurm = false;
    for (let t = 0; t < 240; t++) {
      const s = anneal(['sweep', 'status', sweepDir, '--json']);
      expect(s.status, s.stderr).toBe(0);
      st = JSON.parse(s.stdout) as Status;
      if (st.trials.some((x) => x.slurm === 'RUNNING' || x.slurm === 'PENDING')) sawSlurm = true;
      if (st.counts.done === 4) break;
      if ((st.counts.failed ?? 0) > 0) break;
      await sleep(2500);
    }
    const logs = existsSync(join(sweepDir, 'slurm'))
      ? readdirSync(join(sweepDir, 'slurm')).map((f) => readFileSync(join(sweepDir, 'slurm', f), 'utf8').slice(-400))
      : [];
    expect(st!.counts, logs.join('\n---\n')).toEqual({ done: 4 });
    expect(st!.jobId).toBe(jobId);
    // squeue saw the array's tasks while they were queued or running.
    expect(sawSlurm).toBe(true);
    for (const t of st!.trials) {
      expect(t.epochs).toBe(1);
      const runs = readdirSync(join(sweepDir, 'runs', String(t.index)));
      expect(runs).toHaveLength(1);
      // Slurm ran trial i from trials/<i>.json: the run records that config.
      const meta = JSON.parse(readFileSync(join(sweepDir, 'runs', String(t.index), runs[0]!, 'run.json'), 'utf8'));
      const trial = JSON.parse(readFileSync(join(sweepDir, 'trials', `${t.index}.json`), 'utf8'));
      expect(meta.config.recipe.baseLr).toBe(trial.recipe.baseLr);
    }
    const text = anneal(['sweep', 'status', sweepDir]);
    expect(text.stdout).toMatch(new RegExp(`Slurm job ${jobId}\\): 4 done`));
  }, 900_000);
});

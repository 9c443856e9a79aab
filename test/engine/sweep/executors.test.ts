// The sweep folder and the cluster executors' files: trials written before anything runs (and
// nothing left by a bad config), the Slurm job array script (bash -n; sbatch --test-only where
// Slurm is installed), squeue/sacct parsing, and the Kubernetes Indexed Job checked against the
// vendored batch/v1 Job schema, with its trial count and index wiring.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../../src-main/engine/train/index.js';
import {
  checkK8sManifest,
  createSweep,
  k8sManifests,
  onPath,
  parseSacct,
  parseSqueue,
  sbatchScript,
  trialFile,
  writeSbatch,
} from '../../../src-main/engine/sweep/index.js';

const config = (over: Record<string, unknown> = {}) => ({
  name: 'unit',
  base: { data: '/data/shapes', model: 'resnet_micro', recipe: { type: 'fineTune', epochs: 1 } },
  trials: 5,
  seed: 1,
  parameters: {
    'recipe.baseLr': { type: 'logUniform', min: 1e-5, max: 1e-1 },
    'optimizer.momentum': { type: 'oneMinusLogUniform', min: 1e-3, max: 1e-1 },
    'optimizer.type': { type: 'choice', values: ['sgd'] },
  },
  earlyStopping: { type: 'median' },
  concurrency: 2,
  ...over,
});

const root = () => mkdtempSync(join(tmpdir(), 'anneal-sweep-'));

describe('createSweep', () => {
  it('writes every trial as a plain, valid run config before anything runs', () => {
    const { dir, meta } = createSweep(config(), { root: root() });
    expect(meta.trials).toHaveLength(5);
    expect(readdirSync(join(dir, 'trials')).sort()).toEqual(['0.json', '1.json', '2.json', '3.json', '4.json']);
    for (const t of meta.trials) {
      const run = JSON.parse(readFileSync(trialFile(dir, t.index), 'utf8'));
      expect(() => parseRunConfig(run)).not.toThrow();
      expect(run.recipe.baseLr).toBe(t.params['recipe.baseLr']);
      expect(run.optimizer.momentum).toBe(t.params['optimizer.momentum']);
      expect(run.medianStopping).toMatchObject({ runs: join(dir, 'runs'), metric: 'val_accuracy' });
    }
    expect(meta.parameters.find((p) => p.path === 'recipe.baseLr')!.log).toBe(true);
    expect(meta.parameters.find((p) => p.path === 'optimizer.type')!.log).toBe(false);
  });

  it('a parameter that makes a bad run config is named, and nothing is left behind', () => {
    const r = root();
    const bad = config({ parameters: { 'optimizer.momentum': { type: 'uniform', min: 0.5, max: 1.5 } } });
    expect(() => createSweep({ ...bad, trials: 50 }, { root: r })).toThrow(
      /^parameters\.optimizer\.momentum: trial \d+ .*must be in \[0, 1\)/,
    );
    const typo = config({ parameters: { 'optimizer.weightDecy': { type: 'choice', values: [0] } } });
    expect(() => createSweep(typo, { root: r })).toThrow(/^parameters\.optimizer\.weightDecy: /);
    expect(() => createSweep(config({ base: { recipe: { type: 'fineTune', epochs: 1 } } }), { root: r })).toThrow(
      /^base\.data: /,
    );
    expect(readdirSync(r)).toEqual([]);
  });
});

describe('slurm', () => {
  it('a job array with one task per trial, %K at once, each running trials/<task>.json', () => {
    const { dir, meta } = createSweep(config(), { root: root() });
    const script = sbatchScript(dir, meta, { anneal: ['/usr/bin/node', '/opt/anneal/bin/anneal.js'], gpus: 1 });
    expect(script).toContain('#SBATCH --array=0-4%2');
    expect(script).toContain('#SBATCH --gres=gpu:1');
    expect(script).toContain(
      `train --config ${join(dir, 'trials')}/"$SLURM_ARRAY_TASK_ID".json --out ${join(dir, 'runs')}/"$SLURM_ARRAY_TASK_ID"`,
    );
    const path = writeSbatch(dir, meta, { anneal: ['anneal'] });
    expect(spawnSync('bash', ['-n', path]).status).toBe(0);
    // The array index really selects the trial: run the script's command with a stub anneal.
    const stub = join(dir, 'stub.sh');
    writeFileSync(stub, '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
    writeSbatch(dir, meta, { anneal: [stub] });
    const r = spawnSync('bash', [join(dir, 'sweep.sbatch')], {
      env: { ...process.env, SLURM_ARRAY_TASK_ID: '3' },
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toBe(`train --config ${join(dir, 'trials', '3.json')} --out ${join(dir, 'runs', '3')}`);
  });

  it.skipIf(!onPath('sbatch'))('sbatch --test-only accepts the script (needs a slurmctld to answer)', () => {
    const { dir, meta } = createSweep(config(), { root: root() });
    const path = writeSbatch(dir, meta, { anneal: ['anneal'] });
    const r = spawnSync('sbatch', ['--test-only', path], { encoding: 'utf8', timeout: 30_000 });
    // Without a controller sbatch says so: that is not the script's fault.
    if (/Unable to contact slurm controller|Connection refused|Zero Bytes/i.test(r.stderr)) return;
    expect(r.stderr).toMatch(/to start at/);
  });

  it('parses squeue array tasks, compressed pending ranges, and sacct lines', () => {
    const q = parseSqueue('17_0 RUNNING\n17_1 RUNNING\n17_[2-4,6%2] PENDING\n');
    expect([...q.entries()]).toEqual([
      [0, 'RUNNING'],
      [1, 'RUNNING'],
      [2, 'PENDING'],
      [3, 'PENDING'],
      [4, 'PENDING'],
      [6, 'PENDING'],
    ]);
    const a = parseSacct('17_0|COMPLETED\n17_0.batch|COMPLETED\n17_1|FAILED\n');
    expect([...a.entries()]).toEqual([
      [0, 'COMPLETED'],
      [1, 'FAILED'],
    ]);
  });
});

describe('kubernetes', () => {
  it('an Indexed Job of N completions, JOB_COMPLETION_INDEX selecting the trial, valid against the Job schema', () => {
    const { dir, meta } = createSweep(config(), { root: root() });
    const { job, pvc } = k8sManifests(dir, meta, { image: 'registry.lab/anneal:1', gpus: 1, dataClaim: 'datasets' });
    expect(() => checkK8sManifest('Job', job)).not.toThrow();
    expect(() => checkK8sManifest('PersistentVolumeClaim', pvc)).not.toThrow();
    interface PodSpec {
      containers: { command: string[]; volumeMounts: unknown[] }[];
      volumes: { persistentVolumeClaim: { claimName: string } }[];
    }
    const spec = job.spec as { template: { spec: PodSpec } };
    expect(spec).toMatchObject({ completionMode: 'Indexed', completions: 5, parallelism: 2 });
    const container = spec.template.spec.containers[0]!;
    expect(container.command.at(-1)).toContain(`${join(dir, 'trials')}/"$JOB_COMPLETION_INDEX".json`);
    expect(container.volumeMounts).toContainEqual({ name: 'sweep', mountPath: dir });
    expect(container.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data/shapes', readOnly: true });
    expect(spec.template.spec.volumes[0]!.persistentVolumeClaim.claimName).toBe(
      (pvc.metadata as { name: string }).name,
    );
    // The index wiring, run: the pod's shell with JOB_COMPLETION_INDEX=4 trains trial 4.
    const r = spawnSync('sh', ['-c', container.command.at(-1)!.replace(/^exec anneal/, 'echo')], {
      env: { ...process.env, JOB_COMPLETION_INDEX: '4' },
      encoding: 'utf8',
    });
    expect(r.stdout.trim()).toBe(`train --config ${join(dir, 'trials', '4.json')} --out ${join(dir, 'runs', '4')}`);
    expect(existsSync(join(dir, 'trials', '4.json'))).toBe(true);
  });

  it('the schema refuses what a cluster would: an unknown field, a wrong type, a wrong kind', () => {
    const { dir, meta } = createSweep(config(), { root: root() });
    const { job } = k8sManifests(dir, meta, { image: 'x' });
    const spec = job.spec as Record<string, unknown>;
    expect(() => checkK8sManifest('Job', { ...job, spec: { ...spec, completionsMode: 'Indexed' } })).toThrow(
      /\/spec: must NOT have additional properties \(completionsMode\)/,
    );
    expect(() => checkK8sManifest('Job', { ...job, spec: { ...spec, completions: '5' } })).toThrow(
      /\/spec\/completions: must be integer/,
    );
    expect(() => checkK8sManifest('Job', { ...job, kind: 'Pod' })).toThrow(/\/kind/);
    expect(() => checkK8sManifest('Job', { ...job, apiVersion: 'batch/v2' })).toThrow(/\/apiVersion/);
  });
});

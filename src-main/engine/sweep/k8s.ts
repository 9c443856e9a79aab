// `--executor k8s`: an Indexed Job (Kubernetes batch/v1, completionMode Indexed) whose pod i runs
// trial i, picked by the JOB_COMPLETION_INDEX environment variable Kubernetes sets in each pod
// (kubernetes.io/docs/concepts/workloads/controllers/job/#completion-mode), and a
// PersistentVolumeClaim for the sweep folder. Written, checked against the vendored Job schema
// (k8s-schema/, from the Kubernetes OpenAPI spec), never applied: `kubectl apply -f k8s/` is the lab's.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { writeJsonAtomic } from '../fs/index.js';
import { trialCommand } from './shell.js';
import { SweepError, type SweepMeta } from './store.js';

export interface K8sOptions {
  /** Container image with Anneal installed (`anneal` on PATH). */
  image: string;
  /** Pods at once (Job parallelism; default the sweep's concurrency). */
  parallelism?: number;
  /** The sweep folder's claim: its size, and its storage class (default: the cluster's). */
  storage?: string;
  storageClass?: string;
  /** An existing claim holding the dataset, mounted read-only at the dataset's path. */
  dataClaim?: string;
  /** GPUs per pod (nvidia.com/gpu), 0 for none. */
  gpus?: number;
  namespace?: string;
}

/** DNS-1123 label: lower case, digits and '-', at most 63 (Job names also name the pods). */
export function k8sName(id: string, suffix = ''): string {
  const base = `anneal-${id}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-');
  return `${base.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
}

export interface K8sManifests {
  job: Record<string, unknown>;
  pvc: Record<string, unknown>;
}

/**
 * The Job and the claim. The claim is mounted at the sweep folder's own absolute path, so the
 * trial files (which name that path) read the same inside a pod as on the machine that wrote them.
 */
export function k8sManifests(sweepDir: string, meta: SweepMeta, o: K8sOptions): K8sManifests {
  const n = meta.trials.length;
  const claim = k8sName(meta.id, '-sweep');
  const labels = { 'app.kubernetes.io/name': 'anneal', 'anneal/sweep': k8sName(meta.id).slice(0, 63) };
  const data = typeof meta.config.base.data === 'string' ? meta.config.base.data : null;
  const ns = o.namespace ? { namespace: o.namespace } : {};
  const gpus = o.gpus ?? 0;
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: k8sName(meta.id), labels, ...ns },
    spec: {
      completionMode: 'Indexed',
      completions: n,
      parallelism: Math.min(n, o.parallelism ?? meta.config.concurrency),
      // One retry per trial (a preempted node), without one bad trial failing the others.
      backoffLimitPerIndex: 1,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'trial',
              image: o.image,
              workingDir: sweepDir,
              command: ['sh', '-c', `exec ${trialCommand(['anneal'], sweepDir, 'JOB_COMPLETION_INDEX')}`],
              volumeMounts: [
                { name: 'sweep', mountPath: sweepDir },
                ...(o.dataClaim && data ? [{ name: 'data', mountPath: data, readOnly: true }] : []),
              ],
              ...(gpus > 0 ? { resources: { limits: { 'nvidia.com/gpu': gpus } } } : {}),
            },
          ],
          volumes: [
            { name: 'sweep', persistentVolumeClaim: { claimName: claim } },
            ...(o.dataClaim && data
              ? [{ name: 'data', persistentVolumeClaim: { claimName: o.dataClaim, readOnly: true } }]
              : []),
          ],
        },
      },
    },
  };
  const pvc = {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: claim, labels, ...ns },
    spec: {
      // Pods on several nodes write their run folders into one volume.
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: o.storage ?? '20Gi' } },
      ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
    },
  };
  return { job, pvc };
}

let ajv: Ajv | null = null;
const validators = new Map<string, ValidateFunction>();

/** A validator for one definition of the vendored schema (batch/v1 Job, core/v1 PersistentVolumeClaim). */
export function k8sValidator(
  definition: 'io.k8s.api.batch.v1.Job' | 'io.k8s.api.core.v1.PersistentVolumeClaim',
): ValidateFunction {
  if (!ajv) {
    const path = fileURLToPath(new URL('./k8s-schema/k8s-schema.json', import.meta.url));
    const schema = JSON.parse(readFileSync(path, 'utf8')) as { $id: string };
    ajv = new Ajv({ allErrors: false, strict: true, strictTypes: false });
    // The OpenAPI formats in the schema: int32/int64 ranges (the API server's), RFC 3339 times.
    ajv.addFormat('int32', { type: 'number', validate: (v: number) => Number.isInteger(v) && Math.abs(v) <= 2 ** 31 });
    ajv.addFormat('int64', { type: 'number', validate: (v: number) => Number.isSafeInteger(v) });
    ajv.addFormat('date-time', { type: 'string', validate: (v: string) => !Number.isNaN(Date.parse(v)) });
    ajv.addSchema(schema);
  }
  let v = validators.get(definition);
  if (!v) {
    v = ajv.getSchema(`https://anneal.local/k8s-schema.json#/definitions/${definition}`)!;
    validators.set(definition, v);
  }
  return v;
}

/** Throws a SweepError naming the first field the schema refuses. */
export function checkK8sManifest(kind: 'Job' | 'PersistentVolumeClaim', manifest: unknown): void {
  const v = k8sValidator(kind === 'Job' ? 'io.k8s.api.batch.v1.Job' : 'io.k8s.api.core.v1.PersistentVolumeClaim');
  if (!v(manifest)) {
    const e = v.errors![0]!;
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
        : '';
    throw new SweepError(`${kind} manifest ${e.instancePath || '/'}: ${e.message}${extra}`);
  }
}

/** Writes sweeps/<id>/k8s/pvc.json and job.json (JSON is YAML too: `kubectl apply -f k8s/`). */
export function writeK8sManifests(sweepDir: string, meta: SweepMeta, o: K8sOptions): { dir: string } & K8sManifests {
  const m = k8sManifests(sweepDir, meta, o);
  checkK8sManifest('PersistentVolumeClaim', m.pvc);
  checkK8sManifest('Job', m.job);
  const dir = join(sweepDir, 'k8s');
  writeJsonAtomic(join(dir, 'pvc.json'), m.pvc);
  writeJsonAtomic(join(dir, 'job.json'), m.job);
  return { dir, ...m };
}

#!/usr/bin/env node
// Extracts the JSON schema of batch/v1 Job and core/v1 PersistentVolumeClaim (and everything they
// reference) from the Kubernetes OpenAPI v2 spec into src-main/engine/sweep/k8s-schema/k8s-schema.json,
// which `--executor k8s` validates its manifests against. Like kubeconform's "-strict" schemas
// (yannh/kubernetes-json-schema): objects refuse unknown fields, apiVersion and kind are pinned
// from x-kubernetes-group-version-kind, descriptions are dropped. The spec is Apache-2.0 (The
// Kubernetes Authors); its licence is vendored next to the output.
//
//   node scripts/vendor-k8s-schema.mjs <swagger.json> [source note]
//   npx prettier --write src-main/engine/sweep/k8s-schema/k8s-schema.json
//
// The committed file came from kubernetes-client/python's kubernetes/swagger.json.unprocessed at
// 024658493d124f046fc0a9827a2a3165cf2aee28 (Kubernetes release-1.36; kubernetes/kubernetes
// api/openapi-spec/swagger.json as the client generator took it).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [specPath, source = 'kubernetes-client/python kubernetes/swagger.json.unprocessed'] = process.argv.slice(2);
if (!specPath) {
  console.error('usage: node scripts/vendor-k8s-schema.mjs <swagger.json> [source note]');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specPath, 'utf8'));
const ROOTS = ['io.k8s.api.batch.v1.Job', 'io.k8s.api.core.v1.PersistentVolumeClaim'];
const PREFIX = '#/definitions/';

const keep = new Map();
const visit = (name) => {
  if (keep.has(name)) return;
  const def = spec.definitions[name];
  if (!def) throw new Error(`${name}: not in the spec`);
  keep.set(name, null);
  keep.set(
    name,
    name.endsWith('.resource.Quantity') ? { anyOf: [{ type: 'string' }, { type: 'number' }] } : clean(def),
  );
};

// Drops descriptions and x-kubernetes-* annotations, follows $refs, closes objects.
function clean(node) {
  if (Array.isArray(node)) return node.map(clean);
  if (typeof node !== 'object' || node === null) return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'description' || k.startsWith('x-kubernetes-')) continue;
    if (k === '$ref') {
      visit(v.slice(PREFIX.length));
      out[k] = v;
      continue;
    }
    // Property names are data, not keywords: clean their schemas, keep every name.
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, clean(s)])) : clean(v);
  }
  // JSON carries these as a number or a string (kubeconform's generator widens them the same way).
  if (node.format === 'int-or-string') return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  const gvk = node['x-kubernetes-group-version-kind'];
  if (gvk?.length === 1 && out.properties?.apiVersion && out.properties?.kind) {
    const { group, version, kind } = gvk[0];
    out.properties.apiVersion = { type: 'string', enum: [group ? `${group}/${version}` : version] };
    out.properties.kind = { type: 'string', enum: [kind] };
    out.required = [...new Set([...(out.required ?? []), 'apiVersion', 'kind'])];
  }
  return out;
}

for (const root of ROOTS) visit(root);
const definitions = Object.fromEntries([...keep.entries()].sort(([a], [b]) => a.localeCompare(b)));
const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://anneal.local/k8s-schema.json',
  $comment: `batch/v1 Job and core/v1 PersistentVolumeClaim from the Kubernetes OpenAPI spec (${source}), by scripts/vendor-k8s-schema.mjs. Apache-2.0, The Kubernetes Authors: see LICENSE next to this file.`,
  definitions,
};
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'src-main', 'engine', 'sweep', 'k8s-schema', 'k8s-schema.json');
writeFileSync(out, `${JSON.stringify(schema)}\n`);
console.log(`${out}: ${keep.size} definitions`);

// `anneal models list|add|pull` against a throwaway store ($ANNEAL_HOME) and a weights server on
// loopback ($ANNEAL_WEIGHTS_MIRROR): the hash is checked, a bad download is discarded.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annealIn, tempDir, type CliResult } from './helpers.js';

let server: Server;
let mirror: string;
let home: string;
let catalog: string;
const payload = Buffer.from('pretend these are resnet_micro weights '.repeat(5000));
const sha = createHash('sha256').update(payload).digest('hex');

/** The CLI in this process (the loopback server answers between its awaits), with this test's store. */
async function run(args: string[]): Promise<CliResult> {
  const env = { ANNEAL_HOME: home, ANNEAL_WEIGHTS_MIRROR: mirror, ANNEAL_MODELS_DIR: catalog };
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await annealIn(args);
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

beforeAll(async () => {
  home = tempDir('anneal-home-');
  catalog = tempDir('anneal-catalog-');
  cpSync(fileURLToPath(new URL('../../models/', import.meta.url)), catalog, { recursive: true });
  const micro = JSON.parse(readFileSync(join(catalog, 'resnet_micro.json'), 'utf8'));
  micro.weights = [
    {
      id: 'lab-v1',
      description: 'weights served by the test',
      url: `https://example.invalid/models/resnet_micro-${sha.slice(0, 8)}.pth`,
      sha256Prefix: sha.slice(0, 8),
      naming: 'torchvision',
      classes: 10,
      license: 'test',
    },
    {
      id: 'tampered',
      description: 'served with the wrong bytes',
      url: 'https://example.invalid/models/resnet_micro-00000000.pth',
      sha256Prefix: '00000000',
      naming: 'torchvision',
      classes: 10,
      license: 'test',
    },
  ];
  writeFileSync(join(catalog, 'resnet_micro.json'), JSON.stringify(micro));
  server = createServer((req, res) => {
    if (req.url?.endsWith('.pth')) {
      res.writeHead(200, { 'content-length': payload.length });
      res.end(payload);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  mirror = `http://127.0.0.1:${addr.port}/models`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('anneal models', () => {
  it('list shows every architecture and its published weights', async () => {
    const r = await run(['models', 'list', '--json']);
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as { arch: string; weights: { id: string; installed: string | null }[] }[];
    expect(rows.map((x) => x.arch)).toContain('resnet50');
    expect(rows.find((x) => x.arch === 'resnet50')!.weights[0]).toMatchObject({
      id: 'torchvision-imagenet1k-v2',
      installed: null,
    });
  });

  it('pull downloads, checks the sha256 and records the file', async () => {
    const r = await run(['models', 'pull', 'resnet_micro:lab-v1']);
    expect(r.stderr.includes('anneal:'), r.stderr).toBe(false);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(sha);
    const list = JSON.parse((await run(['models', 'list', '--json'])).stdout) as {
      arch: string;
      weights: { id: string; installed: string | null }[];
    }[];
    const installed = list.find((x) => x.arch === 'resnet_micro')!.weights.find((w) => w.id === 'lab-v1')!.installed!;
    expect(readFileSync(installed)).toEqual(payload);
  });

  it('pull refuses a file whose hash does not match, and keeps nothing of it', async () => {
    const r = await run(['models', 'pull', 'resnet_micro:tampered']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does not match the catalog .*discarded/);
    expect(readdirSync(join(home, 'weights')).filter((f) => f.includes('tampered') || f.endsWith('.part'))).toEqual([]);
  });

  it('pull says what to do when there is no network', async () => {
    const prev = mirror;
    mirror = 'http://127.0.0.1:9/models';
    const r = await run(['models', 'pull', 'resnet_micro:lab-v1']);
    mirror = prev;
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot download .*anneal models add/);
  });

  it('add identifies a file brought in by hand by its sha256', async () => {
    const file = join(tempDir('anneal-usb-'), 'from-usb-stick.pth');
    writeFileSync(file, payload);
    const r = await run(['models', 'add', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/added resnet_micro:lab-v1/);
  });

  it('add refuses an unknown file without --arch, and registers it as custom with one', async () => {
    const file = join(tempDir('anneal-usb-'), 'mine.safetensors');
    writeFileSync(file, 'my own fine-tuned weights');
    const refused = await run(['models', 'add', file]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/matches no catalog weights .*--arch/);
    const ok = await run(['models', 'add', file, '--arch', 'resnet18']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/added resnet18:custom-/);
    expect(existsSync(join(home, 'weights', 'registry.json'))).toBe(true);
  });

  it('unknown architectures and weights are usage errors', async () => {
    expect((await run(['models', 'pull', 'vgg16'])).status).toBe(2);
    expect((await run(['models', 'pull', 'resnet18:nope'])).stderr).toMatch(/no weights "nope"/);
  });
});

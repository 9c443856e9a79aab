// The two native pieces whose installers download from outside the npm registry: Electron's
// binary (GitHub releases) and libtensorflow for tfjs-node(-gpu) (Google storage). Both are
// optional dependencies; here we find out, without loading or downloading anything, whether
// they are present, and say what is missing and how to add it offline.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface NativeComponent {
  /** npm package name. */
  name: string;
  purpose: string;
  available: boolean;
  /** What was found, or exactly what is missing. */
  detail: string;
  /** How to add it, offline routes first; empty when available. */
  howToAdd: string;
}

const require = createRequire(import.meta.url);

function packageDir(name: string, from?: string): string | null {
  try {
    return dirname(require.resolve(`${name}/package.json`, from ? { paths: [from] } : undefined));
  } catch {
    return null;
  }
}

function versionOf(dir: string): string {
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Electron's npm package downloads its binary on first use (electron/index.js); we only look. */
export function detectElectron(root?: string): NativeComponent {
  const purpose = 'desktop window (anneal app); the CLI and `anneal serve` do not need it';
  const howToAdd =
    'install on Node >= 22.12 with network access (npm ci), or offline: unpack the ' +
    'electron-v<version>-<platform>-<arch>.zip release into a folder and set ELECTRON_OVERRIDE_DIST_PATH ' +
    'to it (or put the zip in the directory named by electron_config_cache and run `npx install-electron`)';
  const dir = packageDir('electron', root);
  if (!dir) {
    return {
      name: 'electron',
      purpose,
      available: false,
      detail: `the electron package is not installed (it is optional and needs Node >= 22.12; this is Node ${process.versions.node})`,
      howToAdd,
    };
  }
  const version = versionOf(dir);
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const pathTxt = join(dir, 'path.txt');
  const exe = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : 'electron';
  const binary = override ? join(override, exe) : join(dir, 'dist', exe);
  if (existsSync(binary) && (override || existsSync(pathTxt))) {
    return { name: 'electron', purpose, available: true, detail: `electron ${version} at ${binary}`, howToAdd: '' };
  }
  return {
    name: 'electron',
    purpose,
    available: false,
    detail: `electron ${version} is installed but its binary is missing (looked for ${binary})`,
    howToAdd: howToAdd.replace('<version>', version),
  };
}

/**
 * tfjs-node-gpu (CUDA) or tfjs-node (CPU): present when the package, its N-API binding and the
 * libtensorflow it links are on disk. Whether CUDA itself loads is decided when the backend is
 * initialised, not here.
 */
export function detectTfjsNode(gpu: boolean, root?: string): NativeComponent {
  const name = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const purpose = gpu ? 'TensorFlow backend on NVIDIA GPUs (CUDA)' : 'TensorFlow backend on the CPU (native)';
  const howToAdd =
    `npm install ${name}@4.22.0 with network access to Google storage, or offline: serve ` +
    `libtensorflow-${gpu ? 'gpu' : 'cpu'}-<os>-x86_64-2.9.1.tar.gz from a local mirror and set ` +
    'TFJS_NODE_CDN_STORAGE (or TFJS_NODE_BASE_URI) before installing, or list the archive and a ' +
    `prebuilt addon in node_modules/${name}/scripts/custom-binary.json and run its install script`;
  const dir = packageDir(name, root);
  if (!dir) {
    return {
      name,
      purpose,
      available: false,
      detail: `${name} is not installed (its install script downloads libtensorflow, which failed or was skipped)`,
      howToAdd,
    };
  }
  const binding = join(dir, 'lib', `napi-v${process.versions.napi}`, 'tfjs_binding.node');
  if (!existsSync(binding)) {
    return {
      name,
      purpose,
      available: false,
      detail: `${name} ${versionOf(dir)} is installed but its native binding is missing (${binding})`,
      howToAdd,
    };
  }
  return { name, purpose, available: true, detail: `${name} ${versionOf(dir)}, binding ${binding}`, howToAdd: '' };
}

export function detectNativeComponents(root?: string): NativeComponent[] {
  return [detectTfjsNode(true, root), detectTfjsNode(false, root), detectElectron(root)];
}

// The BMP decoder (sharp's libvips has no BMP loader) on every variant it claims, with expected
// pixels computed here, and, where Debian's python3-pil is installed, checked against PIL's
// Image.open(f).convert('RGB') (what torchvision's ImageFolder does).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DecodeError, decodeBmp, decodeImage } from '../../../../src-main/engine/data/sources/index.js';
import { tempDir } from './fixtures.js';

interface Spec {
  width: number;
  height: number;
  bpp: number;
  headerSize?: 12 | 40 | 108 | 124;
  compression?: number;
  /** R, G, B (and A) masks; written after a 40-byte header, inside larger ones. */
  masks?: number[];
  /** RGB entries. */
  palette?: number[][];
  topDown?: boolean;
  /** Each row top to bottom, unpadded, as stored. */
  rows: number[][];
  /** Drop the last row's padding, as some writers do. */
  trimLastPadding?: boolean;
}

function buildBmp(s: Spec): Buffer {
  const headerSize = s.headerSize ?? 40;
  const core = headerSize === 12;
  const entry = core ? 3 : 4;
  const maskBytes = headerSize === 40 && s.masks ? s.masks.length * 4 : 0;
  const palette = s.palette ?? [];
  const offset = 14 + headerSize + maskBytes + palette.length * entry;
  const stride = Math.ceil((s.bpp * s.width) / 32) * 4;
  const size = offset + stride * s.height - (s.trimLastPadding ? stride - Math.ceil((s.bpp * s.width) / 8) : 0);
  const b = Buffer.alloc(size);
  b.write('BM', 0, 'ascii');
  b.writeUInt32LE(size, 2);
  b.writeUInt32LE(offset, 10);
  b.writeUInt32LE(headerSize, 14);
  if (core) {
    b.writeUInt16LE(s.width, 18);
    b.writeInt16LE(s.height, 20);
    b.writeUInt16LE(1, 22);
    b.writeUInt16LE(s.bpp, 24);
  } else {
    b.writeInt32LE(s.width, 18);
    b.writeInt32LE(s.topDown ? -s.height : s.height, 22);
    b.writeUInt16LE(1, 26);
    b.writeUInt16LE(s.bpp, 28);
    b.writeUInt32LE(s.compression ?? 0, 30);
    b.writeUInt32LE(palette.length, 46);
    (s.masks ?? []).forEach((m, i) => b.writeUInt32LE(m >>> 0, 54 + i * 4));
    if (headerSize >= 108) b.write('BGRs', 70, 'latin1'); // LCS_sRGB, reversed as stored.
  }
  palette.forEach(([r, g, bl], i) => {
    const o = 14 + headerSize + maskBytes + i * entry;
    b[o] = bl!;
    b[o + 1] = g!;
    b[o + 2] = r!;
  });
  s.rows.forEach((row, y) => {
    const at = offset + (s.topDown ? y : s.height - 1 - y) * stride;
    row.forEach((v, i) => (b[at + i] = v));
  });
  return b;
}

/** Packs `bits`-wide indices MSB first, as BMP stores 1- and 4-bit pixels. */
function pack(indices: number[], bits: number): number[] {
  const out = new Array<number>(Math.ceil((indices.length * bits) / 8)).fill(0);
  indices.forEach((v, i) => {
    const bit = i * bits;
    out[bit >> 3]! |= v << (8 - bits - (bit & 7));
  });
  return out;
}

const le16 = (v: number) => [v & 255, v >> 8];
const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, v >>> 24];
const grid = (w: number, h: number, f: (x: number, y: number) => number[]) =>
  Array.from({ length: h }, (_, y) => Array.from({ length: w }, (_, x) => f(x, y)));

interface Case {
  name: string;
  spec: Spec;
  expected: number[][][];
}

const pal16 = Array.from({ length: 16 }, (_, i) => [i * 16, 255 - i * 16, i * 8]);
/** PIL's widening of 5- and 6-bit fields: v × 255 / max, rounded down. */
const s5 = (v: number) => Math.floor((v * 255) / 31);
const s6 = (v: number) => Math.floor((v * 255) / 63);

const cases: Case[] = [
  (() => {
    const px = grid(10, 3, (x, y) => [(x + y) % 2]);
    return {
      name: '1-bit, width 10 (row padding)',
      spec: {
        width: 10,
        height: 3,
        bpp: 1,
        palette: [
          [0, 0, 0],
          [255, 255, 255],
        ],
        rows: px.map((r) =>
          pack(
            r.map((p) => p[0]!),
            1,
          ),
        ),
      },
      expected: px.map((r) => r.map(([i]) => (i ? [255, 255, 255] : [0, 0, 0]))),
    };
  })(),
  (() => {
    const px = grid(5, 4, (x, y) => [(x + 3 * y) % 16]);
    return {
      name: '4-bit, 16 colours',
      spec: {
        width: 5,
        height: 4,
        bpp: 4,
        palette: pal16,
        rows: px.map((r) =>
          pack(
            r.map((p) => p[0]!),
            4,
          ),
        ),
      },
      expected: px.map((r) => r.map(([i]) => pal16[i!]!)),
    };
  })(),
  (() => {
    const pal = [
      [10, 20, 30],
      [200, 100, 50],
      [0, 255, 128],
    ];
    const px = grid(3, 3, (x, y) => [(x + y) % 3]);
    return {
      name: '8-bit, top-down, 3-colour palette (biClrUsed)',
      spec: { width: 3, height: 3, bpp: 8, palette: pal, topDown: true, rows: px.map((r) => r.map((p) => p[0]!)) },
      expected: px.map((r) => r.map(([i]) => pal[i!]!)),
    };
  })(),
  (() => {
    const px = grid(3, 2, (x, y) => [(x * 9 + y) & 31, (x * 5 + 7 * y) & 31, (x + y * 11) & 31]);
    return {
      name: '16-bit BI_RGB (X1R5G5B5)',
      spec: {
        width: 3,
        height: 2,
        bpp: 16,
        rows: px.map((r) => r.flatMap(([R, G, B]) => le16((R! << 10) | (G! << 5) | B!))),
      },
      expected: px.map((r) => r.map(([R, G, B]) => [s5(R!), s5(G!), s5(B!)])),
    };
  })(),
  (() => {
    const px = grid(3, 2, (x, y) => [(x * 9 + y) & 31, (x * 21 + 7 * y) & 63, (x + y * 11) & 31]);
    return {
      name: '16-bit BI_BITFIELDS R5G6B5, masks after BITMAPINFOHEADER',
      spec: {
        width: 3,
        height: 2,
        bpp: 16,
        compression: 3,
        masks: [0xf800, 0x07e0, 0x001f],
        rows: px.map((r) => r.flatMap(([R, G, B]) => le16((R! << 11) | (G! << 5) | B!))),
      },
      expected: px.map((r) => r.map(([R, G, B]) => [s5(R!), s6(G!), s5(B!)])),
    };
  })(),
  (() => {
    const px = grid(2, 2, (x, y) => [x * 100 + 20, y * 90 + 30, 77, x ? 0 : 255]);
    return {
      name: '32-bit V5 header, BI_BITFIELDS RGBA byte order, alpha dropped',
      spec: {
        width: 2,
        height: 2,
        bpp: 32,
        headerSize: 124,
        compression: 3,
        masks: [0x000000ff, 0x0000ff00, 0x00ff0000, 0xff000000],
        rows: px.map((r) => r.flatMap(([R, G, B, A]) => le32(R! | (G! << 8) | (B! << 16) | (A! << 24)))),
      },
      expected: px.map((r) => r.map(([R, G, B]) => [R!, G!, B!])),
    };
  })(),
  (() => {
    const px = grid(3, 2, (x, y) => [x * 80, y * 120, 200 - x * 50]);
    return {
      name: '24-bit OS/2 BITMAPCOREHEADER, last row padding left out',
      spec: {
        width: 3,
        height: 2,
        bpp: 24,
        headerSize: 12,
        trimLastPadding: true,
        rows: px.map((r) => r.flatMap(([R, G, B]) => [B!, G!, R!])),
      },
      expected: px,
    };
  })(),
  (() => {
    const pal = [
      [255, 0, 0],
      [0, 0, 255],
    ];
    const px = grid(4, 2, (x) => [x % 2]);
    return {
      name: '8-bit OS/2 BITMAPCOREHEADER (3-byte palette entries)',
      spec: { width: 4, height: 2, bpp: 8, headerSize: 12, palette: pal, rows: px.map((r) => r.map((p) => p[0]!)) },
      expected: px.map((r) => r.map(([i]) => pal[i!]!)),
    };
  })(),
];

const flat = (rows: number[][][]) => Uint8Array.from(rows.flat(2));

/** PIL's convert('RGB') of each file, or null where Debian's python3-pil is not installed. */
function pilRgb(paths: string[]): (number[] | null)[] | null {
  if (!existsSync('/usr/bin/python3')) return null;
  const script = [
    'import json, sys',
    'from PIL import Image',
    'out = []',
    'for p in sys.argv[1:]:',
    '    try: out.append(list(Image.open(p).convert("RGB").tobytes()))',
    '    except Exception: out.append(None)',
    'print(json.dumps(out))',
  ].join('\n');
  const r = spawnSync('/usr/bin/python3', ['-c', script, ...paths], { encoding: 'utf8' });
  return r.status === 0 ? (JSON.parse(r.stdout) as (number[] | null)[]) : null;
}

describe('decodeBmp', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const img = decodeBmp(buildBmp(c.spec));
      expect([img.width, img.height]).toEqual([c.spec.width, c.spec.height]);
      expect([...img.data]).toEqual([...flat(c.expected)]);
      expect((await decodeImage(buildBmp(c.spec))).data).toEqual(img.data);
    });
  }

  it('matches PIL on every variant PIL reads', () => {
    const dir = tempDir();
    const paths = cases.map((c, i) => {
      const p = join(dir, `${i}.bmp`);
      writeFileSync(p, buildBmp(c.spec));
      return p;
    });
    const pil = pilRgb(paths);
    if (!pil) {
      console.warn('BMP not compared with PIL: /usr/bin/python3 with PIL (python3-pil) is not installed here');
      return;
    }
    let compared = 0;
    cases.forEach((c, i) => {
      if (pil[i] === null) return;
      expect([...decodeBmp(buildBmp(c.spec)).data], c.name).toEqual(pil[i]);
      compared++;
    });
    expect(compared).toBe(cases.length);
  });

  it('refuses a file cut inside its pixels, its palette or its header', () => {
    const spec = cases[2]!.spec;
    const whole = buildBmp(spec);
    for (const keep of [whole.length - 4, 14 + 40 + 6, 20]) {
      expect(() => decodeBmp(whole.subarray(0, keep))).toThrow(DecodeError);
      try {
        decodeBmp(whole.subarray(0, keep));
      } catch (e) {
        expect((e as DecodeError).reason).toBe('truncated BMP');
      }
    }
  });

  it('refuses absurd sizes before allocating', () => {
    const b = buildBmp(cases[3]!.spec);
    b.writeInt32LE(100_000, 18);
    b.writeInt32LE(100_000, 22);
    expect(() => decodeBmp(b)).toThrow(/too large/);
  });
});

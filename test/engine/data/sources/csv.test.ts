// CSV/TSV image lists: the parser's RFC 4180 corners, header detection, paths relative to the
// list, and every row that cannot be used reported.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseDelimiter, DataError, parseDelimited, readCsv } from '../../../../src-main/engine/data/sources/index.js';
import { tempDir, write } from './fixtures.js';

const values = (text: string, d = ',') => parseDelimited(text, d).map((r) => r.fields.map((f) => f.value));

describe('parseDelimited', () => {
  it('quoted fields: delimiters, doubled quotes and line breaks inside', () => {
    expect(values('"a,b",c\n"say ""hi""",d\n"two\nlines",e\n')).toEqual([
      ['a,b', 'c'],
      ['say "hi"', 'd'],
      ['two\nlines', 'e'],
    ]);
  });

  it('CRLF, CR and LF line ends, a BOM, blank lines, no final newline', () => {
    expect(values('\uFEFFa,1\r\nb,2\r\n\r\nc,3\rd,4\ne,5')).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
      ['e', '5'],
    ]);
  });

  it('trims unquoted fields, keeps quoted ones verbatim', () => {
    expect(values(' a.png , cat \n" b.png ",dog\n')).toEqual([
      ['a.png', 'cat'],
      [' b.png ', 'dog'],
    ]);
  });

  it('line numbers count lines inside quoted fields', () => {
    expect(parseDelimited('a,1\n"x\ny",2\nc,3\n', ',').map((r) => r.line)).toEqual([1, 2, 4]);
  });

  it('an unclosed quote is an error naming its line', () => {
    expect(() => parseDelimited('a,1\n"b,2\nc,3\n', ',', 'list.csv')).toThrow(DataError);
    expect(() => parseDelimited('a,1\n"b,2\nc,3\n', ',', 'list.csv')).toThrow(
      'list.csv: line 2: a quoted field is never closed',
    );
  });

  it('tabs: by extension, or sniffed from the first line', () => {
    expect(chooseDelimiter('a.png\tcat\n', '.tsv')).toBe('\t');
    expect(chooseDelimiter('a.png\tcat\n', '.csv')).toBe('\t');
    expect(chooseDelimiter('a.png,cat\n', '.txt')).toBe(',');
    expect(chooseDelimiter('a.png;cat\n', '.csv')).toBe(';');
    expect(values('a, b.png\tcat\n', '\t')).toEqual([['a, b.png', 'cat']]);
  });
});

describe('readCsv', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir('anneal-csv-');
    const png = await sharp({ create: { width: 6, height: 4, channels: 3, background: 'red' } })
      .png()
      .toBuffer();
    for (const f of ['imgs/a.png', 'imgs/b.png', 'imgs/c d.png', 'imgs/e,f.png', 'other/g.png'])
      write(join(dir, f), png);
    write(join(dir, 'imgs', 'notes.png'), 'not pixels\n');
    mkdirSync(join(dir, 'imgs', 'x.jpg'));
    symlinkSync(join(dir, 'imgs', 'nothing.png'), join(dir, 'imgs', 'dangling.png'));
  });

  it('header in either column order, paths relative to the list, classes sorted', async () => {
    const list = write(join(dir, 'labels.csv'), 'label,filename\ndog,imgs/a.png\ncat,imgs/b.png\ncat,"imgs/e,f.png"\n');
    const ds = await readCsv(list);
    expect(ds.root).toBe(list);
    expect(ds.classes).toEqual(['cat', 'dog']);
    expect(ds.samples).toEqual([
      { path: join(dir, 'imgs/a.png'), label: 1 },
      { path: join(dir, 'imgs/b.png'), label: 0 },
      { path: join(dir, 'imgs/e,f.png'), label: 0 },
    ]);
    expect(ds.problems).toEqual([]);
  });

  it('no header: path then label; TSV by extension; paths with spaces', async () => {
    const list = write(join(dir, 'sub', 'list.tsv'), '../imgs/c d.png\tbird\n../other/g.png\tfish\textra column\n');
    const ds = await readCsv(list);
    expect(ds.classes).toEqual(['bird', 'fish']);
    expect(ds.samples.map((s) => s.path)).toEqual([join(dir, 'imgs/c d.png'), join(dir, 'other/g.png')]);
  });

  it('every unusable row is a problem: missing, a folder, a broken link, not an image, no label, listed twice', async () => {
    const list = write(
      join(dir, 'bad.csv'),
      [
        'path,class',
        'imgs/a.png,cat',
        'imgs/missing.png,cat',
        'imgs/x.jpg,cat',
        'imgs/dangling.png,cat',
        'imgs/notes.png,dog',
        'imgs/b.png,',
        'imgs/a.png,dog',
        ',cat',
      ].join('\n'),
    );
    const ds = await readCsv(list);
    expect(ds.classes).toEqual(['cat']);
    expect(ds.samples.map((s) => s.path)).toEqual([join(dir, 'imgs/a.png')]);
    expect(ds.problems).toEqual(
      [
        { path: `${list}:7`, reason: 'no label' },
        { path: `${list}:8`, reason: 'listed again (first on line 2)' },
        { path: `${list}:9`, reason: 'no path' },
        { path: list, reason: 'class "dog" has no images' },
        { path: join(dir, 'imgs/dangling.png'), reason: 'no such file' },
        { path: join(dir, 'imgs/missing.png'), reason: 'no such file' },
        { path: join(dir, 'imgs/notes.png'), reason: 'not an image (text)' },
        { path: join(dir, 'imgs/x.jpg'), reason: 'is a directory' },
      ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.reason < b.reason ? -1 : 1)),
    );
  });

  it('a list that is missing or a folder is a DataError', async () => {
    await expect(readCsv(join(dir, 'nope.csv'))).rejects.toThrow(/image list .*nope\.csv: no such file/);
    await expect(readCsv(join(dir, 'imgs'))).rejects.toThrow(DataError);
  });

  it('an image or a binary file given as the list is a DataError that says so', async () => {
    await expect(readCsv(join(dir, 'imgs', 'a.png'))).rejects.toThrow(/a\.png is an image, not a dataset/);
    const bin = write(join(dir, 'blob.bin'), Buffer.from([1, 0, 2, 0, 3]));
    await expect(readCsv(bin)).rejects.toThrow(/not a text file/);
  });
});

// A small RFC 4180 reader for `path,label` lists (no dependency: the whole grammar is quoted
// fields with "" for a quote, and newlines inside quotes). Also accepts LF or CR line ends, a
// UTF-8 BOM, and tab or semicolon delimiters (TSV, European spreadsheet exports).
import { DataError } from './errors.js';

export interface CsvField {
  value: string;
  quoted: boolean;
}

export interface CsvRecord {
  /** 1-based line the record starts on. */
  line: number;
  fields: CsvField[];
}

/** Parses delimited text into records; blank lines are dropped. Throws DataError on an open quote. */
export function parseDelimited(text: string, delimiter: string, name = 'CSV'): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < text.length) {
    const start = line;
    const fields: CsvField[] = [];
    for (;;) {
      // One field.
      let j = i;
      while (text[j] === ' ' || (text[j] === '\t' && delimiter !== '\t')) j++;
      if (text[j] === '"') {
        let value = '';
        j++;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw new DataError(`${name}: line ${start}: a quoted field is never closed`);
          value += text.slice(j, q);
          for (let k = j; k < q; k++) if (text[k] === '\n' || (text[k] === '\r' && text[k + 1] !== '\n')) line++;
          if (text[q + 1] === '"') {
            value += '"';
            j = q + 2;
          } else {
            j = q + 1;
            break;
          }
        }
        // Anything between the closing quote and the delimiter is kept, as Python's csv does.
        const end = nextBreak(text, j, delimiter);
        value += text.slice(j, end).trimEnd();
        fields.push({ value, quoted: true });
        i = end;
      } else {
        const end = nextBreak(text, i, delimiter);
        fields.push({ value: text.slice(i, end).trim(), quoted: false });
        i = end;
      }
      if (text[i] === delimiter) {
        i++;
        continue;
      }
      break;
    }
    // At a line end or the end of the text.
    if (text[i] === '\r') i++;
    if (text[i] === '\n') i++;
    line++;
    const blank = fields.length === 1 && !fields[0]!.quoted && fields[0]!.value === '';
    if (!blank) records.push({ line: start, fields });
  }
  return records;
}

function nextBreak(text: string, from: number, delimiter: string): number {
  let k = from;
  while (k < text.length && text[k] !== delimiter && text[k] !== '\n' && text[k] !== '\r') k++;
  return k;
}

/** The delimiter: the extension's, if its first line uses it; else whichever of tab, comma, semicolon it uses. */
export function chooseDelimiter(text: string, extension: string): string {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n|\r/, 1)[0] ?? '';
  const byExt = /^\.(tsv|tab)$/i.test(extension) ? '\t' : /^\.csv$/i.test(extension) ? ',' : null;
  if (byExt && first.includes(byExt)) return byExt;
  const count = (c: string): number => first.split(c).length - 1;
  const [best] = ['\t', ',', ';'].map((c) => ({ c, n: count(c) })).sort((a, b) => b.n - a.n);
  return best && best.n > 0 ? best.c : (byExt ?? ',');
}

// Plain-text tables for terminals: columns padded to their widest cell, numbers right-aligned.

export interface TableColumn {
  header: string;
  /** Default: left for the first column, right for the rest (the numbers). */
  align?: 'left' | 'right';
}

/** The table as lines (each ended by "\n"), columns two spaces apart, trailing spaces trimmed. */
export function formatTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly string[])[],
  indent = '',
): string {
  const widths = columns.map((c, j) => Math.max(c.header.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `${indent}${columns
      .map((c, j) => {
        const cell = cells[j] ?? '';
        const right = (c.align ?? (j === 0 ? 'left' : 'right')) === 'right';
        return right ? cell.padStart(widths[j]!) : cell.padEnd(widths[j]!);
      })
      .join('  ')
      .trimEnd()}\n`;
  return [columns.map((c) => c.header), ...rows].map(line).join('');
}

/** A metric with `digits` decimals, or "-" for a missing (null, NaN) one. */
export function formatMetric(v: number | null | undefined, digits = 4): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits);
}

/** 75 → "1m15s", 3725 → "1h02m", 4.2 → "4.2s": training times span seconds to days. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds - m * 60)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m - h * 60).padStart(2, '0')}m`;
}

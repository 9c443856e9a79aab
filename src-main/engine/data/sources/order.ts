// Python's sorted() orders str by code point. JavaScript's default sort compares UTF-16 code
// units, which differs once a name mixes astral characters (emoji, U+10000 and up) with BMP
// characters at U+E000 and above. torchvision's ImageFolder numbers classes in sorted() order, so
// we must too for class indices to mean the same thing in both.

/** Code-point order, as Python's `sorted()` on str. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (0xD800–0xDFFF) stands for a code point above 0xFFFF, so it sorts after every
    // BMP unit, including the ones at 0xE000–0xFFFF that are numerically larger.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

export function sortCodePoints(items: string[]): string[] {
  return items.sort(compareCodePoints);
}

// What the CLI prints passes through one filter: control characters in file names, labels or
// messages are shown escaped, never sent to the terminal. A file named "\x1b]0;pwned\x07.png"
// used to retitle the terminal, and "\x1b[2J" cleared the screen.
import type { Io } from './options.js';

// C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidirectional overrides and
// isolates that make text display in another order than it is (CVE-2021-42574, "Trojan Source").
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `s` with every control character as `\uXXXX`, the form a JSON string uses, so JSON output stays valid. */
export function printable(s: string): string {
  return s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * An Io whose every write is printable(). A carriage return at the very start of a write is kept:
 * that is how the CLI redraws a progress line ("\revaluating 3/10 images").
 */
export function escapingIo(io: Io): Io {
  const clean = (t: string) => (t.startsWith('\r') ? `\r${printable(t.slice(1))}` : printable(t));
  return { stdout: (t) => io.stdout(clean(t)), stderr: (t) => io.stderr(clean(t)) };
}

import { InvalidArgumentError } from 'commander';

/** Where a command writes; the real process streams, or buffers in tests. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
};

/** A commander argument parser for whole numbers >= 1. */
export function positiveInt(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
      throw new InvalidArgumentError(`${flag} must be a whole number >= 1`);
    }
    return n;
  };
}

/** A commander argument parser for whole numbers >= 0. */
export function nonNegativeInt(flag: string): (value: string) => number {
  return (value) => {
    if (!/^\s*\d+\s*$/.test(value)) throw new InvalidArgumentError(`${flag} must be a whole number >= 0`);
    return Number(value);
  };
}

/** A commander argument parser for numbers > 0 (rates, factors). */
export function positiveNumber(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a number > 0`);
    return n;
  };
}

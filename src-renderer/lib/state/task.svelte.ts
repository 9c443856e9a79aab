// One request a screen makes and shows: whether it runs, its result, its error. Screens with a
// button (Evaluate, Predict, Export, Import, Inspect) each hold one per action.
export class Task<T> {
  #running = $state(false);
  #result = $state<T | null>(null);
  #error = $state<string | null>(null);
  #generation = 0;

  get running(): boolean {
    return this.#running;
  }
  get result(): T | null {
    return this.#result;
  }
  get error(): string | null {
    return this.#error;
  }

  /** Runs `fn`; a later run supersedes an earlier one still in flight. */
  async run(fn: () => Promise<T>): Promise<T | null> {
    const generation = ++this.#generation;
    this.#running = true;
    this.#error = null;
    try {
      const value = await fn();
      if (generation === this.#generation) this.#result = value;
      return value;
    } catch (e) {
      if (generation === this.#generation) {
        this.#error = e instanceof Error ? e.message : String(e);
        this.#result = null;
      }
      return null;
    } finally {
      if (generation === this.#generation) this.#running = false;
    }
  }

  clear(): void {
    this.#generation++;
    this.#running = false;
    this.#result = null;
    this.#error = null;
  }
}

/**
 * Latest state by namespace and key. Components write here before they publish ("cache, then publish"),
 * so any handler of the event reads the state that caused it.
 */
export class Cache {
  private readonly spaces = new Map<string, Map<string, unknown>>();

  set<T>(namespace: string, key: string, value: T): void {
    let space = this.spaces.get(namespace);
    if (!space) {
      space = new Map();
      this.spaces.set(namespace, space);
    }
    space.set(key, value);
  }

  get<T>(namespace: string, key: string): T | undefined {
    return this.spaces.get(namespace)?.get(key) as T | undefined;
  }

  /** Iterates a namespace's entries (insertion order). */
  entries<T>(namespace: string): IterableIterator<[string, T]> {
    const space = (this.spaces.get(namespace) ?? new Map()) as Map<string, T>;
    return space.entries();
  }

  size(namespace: string): number {
    return this.spaces.get(namespace)?.size ?? 0;
  }

  delete(namespace: string, key: string): boolean {
    return this.spaces.get(namespace)?.delete(key) ?? false;
  }
}

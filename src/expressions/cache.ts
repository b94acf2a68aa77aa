/**
 * A Map with a size bound. Eviction is oldest-first rather than least-recently-used: a hit then
 * costs one Map lookup and nothing more, which matters at millions of evaluations per second, and
 * a workflow's templates are few enough that they all stay cached anyway.
 */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly capacity: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    if (this.map.size >= this.capacity) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
    this.map.set(key, value);
  }

  clear(): void {
    this.map.clear();
  }
}

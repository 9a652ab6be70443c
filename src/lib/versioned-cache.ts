/**
 * Values cached under a key together with the version they were computed at: a data version, or
 * PGlite's count of statements run (unchangedReader). A value is returned only for the same
 * version, so a cache of this kind is as current as the version the caller has just read – for a
 * data version, in every app process, since each reads it itself. Bounded: when full, it starts
 * again empty rather than tracking use.
 */
export class VersionedCache<K, V> {
  private readonly entries = new Map<K, { version: number; value: V }>();

  constructor(private readonly maxEntries: number) {}

  get(key: K, version: number): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.version === version ? entry.value : undefined;
  }

  set(key: K, version: number, value: V): void {
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.entries.clear();
    this.entries.set(key, { version, value });
  }

  /** The cached value for this version, or the one `compute` gives, which is then cached. */
  async getOrCompute(key: K, version: number, compute: () => Promise<V>): Promise<V> {
    const known = this.get(key, version);
    if (known !== undefined) return known;
    const value = await compute();
    this.set(key, version, value);
    return value;
  }
}

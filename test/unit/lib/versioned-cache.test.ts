import { VersionedCache } from '../../../src/lib/versioned-cache';

describe('VersionedCache', () => {
  test('when the version moves, then the old value is not returned and the new one is computed once', async () => {
    const cache = new VersionedCache<string, number>(10);
    let computed = 0;
    const compute = async () => ++computed;
    expect(await cache.getOrCompute('a', 1, compute)).toBe(1);
    expect(await cache.getOrCompute('a', 1, compute)).toBe(1);
    expect(cache.get('a', 2)).toBeUndefined();
    expect(await cache.getOrCompute('a', 2, compute)).toBe(2);
    expect(computed).toBe(2);
  });

  test('when a null value is cached, then it is returned as cached, not computed again', async () => {
    const cache = new VersionedCache<number, string | null>(10);
    let computed = 0;
    const compute = async () => {
      computed += 1;
      return null;
    };
    expect(await cache.getOrCompute(1, 7, compute)).toBeNull();
    expect(await cache.getOrCompute(1, 7, compute)).toBeNull();
    expect(computed).toBe(1);
  });

  test('when it is full, then a new key empties it first, and a known key is replaced in place', () => {
    const cache = new VersionedCache<string, number>(2);
    cache.set('a', 1, 1);
    cache.set('b', 1, 2);
    cache.set('b', 2, 3);
    expect(cache.get('a', 1)).toBe(1);
    cache.set('c', 1, 4);
    expect(cache.get('a', 1)).toBeUndefined();
    expect(cache.get('c', 1)).toBe(4);
  });
});

import { durabilityWarning } from '../../../src/db/client';

describe('the warning about PGlite in production (decision 0013)', () => {
  test('when Kursvakt runs on PGlite in production, then it warns in bokmål that a power failure can lose data', () => {
    const warning = durabilityWarning('pglite', true);
    expect(warning).toContain('fsync');
    expect(warning).toContain('strømbrudd');
    expect(warning).toContain('DATABASE_URL');
  });

  test('when Kursvakt runs on a PostgreSQL server, or on PGlite outside production, then there is no warning', () => {
    expect(durabilityWarning('postgres', true)).toBeNull();
    expect(durabilityWarning('pglite', false)).toBeNull();
  });
});

import { ConfigError, parseConfig } from '../../src/config';

describe('configuration', () => {
  test('when nothing is set, then the defaults give an embedded database, port 3000 and a separate content origin', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      baseUrl: 'http://localhost:3000',
      contentBaseUrl: 'http://127.0.0.1:3001',
      timeZone: 'Europe/Oslo',
    });
  });

  test('when a variable is bad, then parsing fails with a message naming it', () => {
    expect(() => parseConfig({ PORT: 'tre tusen' })).toThrow(ConfigError);
    expect(() => parseConfig({ PORT: 'tre tusen' })).toThrow(/PORT/);
    expect(() => parseConfig({ DATABASE_URL: 'ikke en url' })).toThrow(/DATABASE_URL/);
  });

  test('when running in production without SESSION_SECRET, then start is refused', () => {
    expect(() => parseConfig({ NODE_ENV: 'production' })).toThrow(/SESSION_SECRET/);
    expect(parseConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32) }).isProduction).toBe(true);
  });

  test('when the content origin equals the app origin, then start is refused', () => {
    expect(() => parseConfig({ BASE_URL: 'http://a.no', CONTENT_BASE_URL: 'http://a.no' })).toThrow(
      /CONTENT_BASE_URL/,
    );
  });
});

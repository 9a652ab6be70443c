/** Jest runs TypeScript through ts-jest in transpile-only mode; `npm run typecheck` does the type checking. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 30000,
  setupFiles: ['<rootDir>/test/support/env.ts'],
  maxWorkers: 2,
};

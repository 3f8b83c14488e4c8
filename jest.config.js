/**
 * Two projects: `unit` (pure modules, MockActivityEnvironment) and `integration` (a real Temporal dev server and a
 * real PostgreSQL test database, both started once per run by the integration project's global setup). The browser
 * tests (test/browser: headless Chromium against the real stack) are part of `integration`, so they share its one
 * Temporal server and database; run them alone with `npx jest test/browser --selectProjects integration`.
 * ts-jest runs transpile-only: `tsc --noEmit` type-checks the whole tree once, before jest.
 */
const transform = { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] };

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 120000,
  maxWorkers: 2,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/unit'],
      testMatch: ['**/*.test.ts'],
      transform,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/integration', '<rootDir>/test/browser'],
      testMatch: ['**/*.test.ts'],
      transform,
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
};
